namespace WellWon.Grains.Domain;

/// <summary>The kind of a channel.</summary>
public enum ChannelType
{
    /// <summary>Exactly two users, one channel per pair; its ID is <see cref="ChannelIds.Direct"/> of the pair.</summary>
    Direct = 1,

    /// <summary>Invite-only: owners and admins add members.</summary>
    Group = 2,

    /// <summary>Anyone may join by adding themself.</summary>
    Public = 3,
}

/// <summary>A member's role in a channel.</summary>
public enum MemberRole
{
    /// <summary>A regular member.</summary>
    Member = 1,

    /// <summary>May add and remove members and delete others' messages.</summary>
    Admin = 2,

    /// <summary>The creator of the channel; has every admin right.</summary>
    Owner = 3,
}

/// <summary>The API spellings of <see cref="ChannelType"/> and <see cref="MemberRole"/> ("direct", "owner", ...).</summary>
public static class ChatNames
{
    /// <summary>The API name of a channel type.</summary>
    public static string ToApiName(this ChannelType type) => type switch
    {
        ChannelType.Direct => "direct",
        ChannelType.Group => "group",
        ChannelType.Public => "public",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown channel type."),
    };

    /// <summary>The API name of a member role.</summary>
    public static string ToApiName(this MemberRole role) => role switch
    {
        MemberRole.Member => "member",
        MemberRole.Admin => "admin",
        MemberRole.Owner => "owner",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown member role."),
    };

    /// <summary>Parses an API channel type name (exact, lower case).</summary>
    public static bool TryParseChannelType(string? name, out ChannelType type)
    {
        (var ok, type) = name switch
        {
            "direct" => (true, ChannelType.Direct),
            "group" => (true, ChannelType.Group),
            "public" => (true, ChannelType.Public),
            _ => (false, default),
        };
        return ok;
    }

    /// <summary>Parses an API member role name (exact, lower case).</summary>
    public static bool TryParseMemberRole(string? name, out MemberRole role)
    {
        (var ok, role) = name switch
        {
            "member" => (true, MemberRole.Member),
            "admin" => (true, MemberRole.Admin),
            "owner" => (true, MemberRole.Owner),
            _ => (false, default),
        };
        return ok;
    }

    /// <summary>True for the roles that may manage members and moderate messages.</summary>
    public static bool IsAdminOrOwner(this MemberRole role) => role is MemberRole.Admin or MemberRole.Owner;
}
