using WellWon.Grains.Interfaces;

namespace WellWon.Api;

/// <summary>Grain views to API bodies.</summary>
internal static class Views
{
    public static UserDto ToDto(this UserView user) => new(user.Id, user.Username, user.DisplayName, user.CreatedAt);

    public static ChannelDto ToDto(this ChannelView channel) =>
        new(channel.Id, channel.Type.ToApiName(), channel.Name, channel.OwnerId, channel.CreatedAt);

    public static MemberDto ToDto(this MemberView member) => new(member.UserId, member.Role.ToApiName(), member.JoinedAt);

    public static MessageDto ToDto(this MessageView m) =>
        new(m.Id, m.ChannelId, m.AuthorId, m.Content, m.CreatedAt, m.EditedAt, m.Deleted, m.ReplyToId, m.Nonce);

    public static ReactionDto ToDto(this ReactionView r) => new(r.Emoji, (int)Math.Min(r.Count, int.MaxValue), r.Me);

    public static ReadStateDto ToDto(this ReadStateView r) => new(r.LastReadMessageId, r.UnreadCount);

    public static UserChannelDto ToDto(this UserChannelView c) => new(c.Channel.ToDto(), c.LastMessageId, c.UnreadCount);

    public static string ToApiName(this ChatChannelType type) => type switch
    {
        ChatChannelType.Direct => "direct",
        ChatChannelType.Group => "group",
        ChatChannelType.Public => "public",
        _ => "unknown",
    };

    public static string ToApiName(this ChatMemberRole role) => role switch
    {
        ChatMemberRole.Owner => "owner",
        ChatMemberRole.Admin => "admin",
        _ => "member",
    };
}
