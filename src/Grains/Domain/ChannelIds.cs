using WellWon.Grains.Interfaces;

namespace WellWon.Grains.Domain;

/// <summary>Channel ID rules (the implementation lives in <see cref="DirectChannelIds"/> so API hosts can use it too).</summary>
public static class ChannelIds
{
    /// <summary>
    /// The RFC 4122 namespace of direct-channel IDs. Fixed forever: changing it would move every direct channel.
    /// </summary>
    public static readonly Guid DirectNamespace = DirectChannelIds.Namespace;

    /// <summary>
    /// The ID of the direct channel between two users: a name-based (version 5, SHA-1) UUID in
    /// <see cref="DirectNamespace"/> over "lowerId:higherId", where the two IDs are lower-case "D"-format strings
    /// ordered ordinally, so either side computes the same ID and any language can reproduce it.
    /// </summary>
    /// <exception cref="ArgumentException">A user ID is empty, or both are the same user.</exception>
    public static Guid Direct(Guid userA, Guid userB) => DirectChannelIds.Of(userA, userB);

    /// <summary>An RFC 4122 version 5 UUID of <paramref name="name"/> (UTF-8) in <paramref name="namespaceId"/>.</summary>
    public static Guid NameBased(Guid namespaceId, string name) => DirectChannelIds.NameBased(namespaceId, name);
}
