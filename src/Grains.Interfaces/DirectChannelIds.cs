using System.Security.Cryptography;
using System.Text;

namespace WellWon.Grains.Interfaces;

/// <summary>
/// The ID of the direct channel of two users, so a caller (the API) finds the <see cref="IChannelGrain"/> of a pair
/// without asking anyone: either side computes the same ID.
/// </summary>
public static class DirectChannelIds
{
    /// <summary>The RFC 4122 namespace of direct-channel IDs. Fixed forever: changing it would move every direct channel.</summary>
    public static readonly Guid Namespace = new("5b0f3b2e-8c6a-4d1e-9a57-3f1c2d7e6a90");

    /// <summary>
    /// A name-based (version 5, SHA-1) UUID in <see cref="Namespace"/> over "lowerId:higherId", where the two IDs are
    /// lower-case "D"-format strings ordered ordinally.
    /// </summary>
    /// <exception cref="ArgumentException">A user ID is empty, or both are the same user.</exception>
    public static Guid Of(Guid userA, Guid userB)
    {
        if (userA == Guid.Empty || userB == Guid.Empty)
        {
            throw new ArgumentException("A direct channel needs two non-empty user IDs.");
        }

        if (userA == userB)
        {
            throw new ArgumentException("A direct channel needs two different users.");
        }

        var a = userA.ToString("D");
        var b = userB.ToString("D");
        var name = string.CompareOrdinal(a, b) < 0 ? $"{a}:{b}" : $"{b}:{a}";
        return NameBased(Namespace, name);
    }

    /// <summary>An RFC 4122 version 5 UUID of <paramref name="name"/> (UTF-8) in <paramref name="namespaceId"/>.</summary>
    public static Guid NameBased(Guid namespaceId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceId.TryWriteBytes(input, bigEndian: true, out _);
        nameBytes.CopyTo(input, 16);

        // SHA-1 is what RFC 4122 version 5 specifies; it derives a stable name here, it protects nothing.
#pragma warning disable CA5350
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
