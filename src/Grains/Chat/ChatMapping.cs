using WellWon.Grains.Domain;
using WellWon.Grains.Interfaces;
using WellWon.Grains.Storage;

namespace WellWon.Grains;

/// <summary>Conversions between storage records and grain views, and the typed failures grains throw.</summary>
internal static class ChatMapping
{
    /// <summary>The content a soft-deleted message shows.</summary>
    public const string DeletedPlaceholder = "This message was deleted.";

    public static MessageView ToView(this MessageRecord m) =>
        new(m.MessageId, m.ChannelId, m.AuthorId, m.Content, m.CreatedAt, m.EditedAt, m.Deleted, m.ReplyToId, m.Nonce);

    public static ChannelView ToView(this ChannelRecord c) =>
        new(c.Id, (ChatChannelType)(int)c.Type, c.Name, c.OwnerId, c.CreatedAt);

    public static UserView ToView(this UserRecord u) => new(u.Id, u.Username, u.DisplayName, u.CreatedAt);

    public static ChatMemberRole ToView(this MemberRole role) => (ChatMemberRole)(int)role;

    public static void ThrowIfInvalid(this ValidationErrors errors)
    {
        if (!errors.IsValid)
        {
            throw new ChatValidationException(errors.ToDictionary());
        }
    }
}
