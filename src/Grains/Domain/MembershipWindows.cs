using System.Collections.Immutable;

namespace WellWon.Grains.Domain;

/// <summary>One stretch of membership: from <see cref="JoinedAt"/> (inclusive) to <see cref="LeftAt"/> (exclusive, open while null).</summary>
public sealed record MembershipWindow
{
    /// <summary>Creates a window.</summary>
    /// <exception cref="ArgumentException"><paramref name="leftAt"/> is before <paramref name="joinedAt"/>.</exception>
    public MembershipWindow(DateTimeOffset joinedAt, DateTimeOffset? leftAt = null)
    {
        if (leftAt < joinedAt)
        {
            throw new ArgumentException("A membership window cannot close before it opens.", nameof(leftAt));
        }

        JoinedAt = joinedAt;
        LeftAt = leftAt;
    }

    /// <summary>When the member joined (inclusive).</summary>
    public DateTimeOffset JoinedAt { get; }

    /// <summary>When the member left (exclusive); null while the window is open.</summary>
    public DateTimeOffset? LeftAt { get; }

    /// <summary>True while the window is open (the member has not left).</summary>
    public bool IsOpen => LeftAt is null;

    /// <summary>True when <c>JoinedAt &lt;= time &lt; LeftAt</c>.</summary>
    public bool Contains(DateTimeOffset time) => JoinedAt <= time && (LeftAt is not { } left || time < left);

    /// <summary>
    /// The inclusive range of message IDs whose creation time falls in the window (an empty range, First &gt; Last,
    /// for a window that closed the instant it opened).
    /// </summary>
    public (long First, long Last) ToIdRange() =>
        (Snowflake.MinId(JoinedAt), LeftAt is { } left ? Snowflake.MinId(left) - 1 : long.MaxValue);
}

/// <summary>
/// A member's membership history in one channel: ordered, non-overlapping windows, at most the last one open.
/// Immutable: <see cref="Join"/> and <see cref="Leave"/> return a new history.
/// </summary>
public sealed class MembershipWindows
{
    /// <summary>A history with no windows (never a member).</summary>
    public static readonly MembershipWindows None = new(ImmutableArray<MembershipWindow>.Empty);

    private MembershipWindows(ImmutableArray<MembershipWindow> windows) => Windows = windows;

    /// <summary>The windows, oldest first.</summary>
    public ImmutableArray<MembershipWindow> Windows { get; }

    /// <summary>True when the last window is open.</summary>
    public bool IsCurrentMember => !Windows.IsEmpty && Windows[^1].IsOpen;

    /// <summary>When the current window opened; null when not a current member.</summary>
    public DateTimeOffset? CurrentJoinedAt => IsCurrentMember ? Windows[^1].JoinedAt : null;

    /// <summary>Rebuilds a history from stored windows, checking that they are ordered and do not overlap.</summary>
    /// <exception cref="ArgumentException">The windows overlap, are out of order, or an earlier one is open.</exception>
    public static MembershipWindows From(IEnumerable<MembershipWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var array = windows.ToImmutableArray();
        for (var i = 0; i < array.Length - 1; i++)
        {
            if (array[i].LeftAt is not { } left || array[i + 1].JoinedAt < left)
            {
                throw new ArgumentException("Membership windows must be ordered, closed (except the last) and disjoint.", nameof(windows));
            }
        }

        return array.IsEmpty ? None : new MembershipWindows(array);
    }

    /// <summary>
    /// True when a message created at <paramref name="messageTime"/> is visible: it falls in one of the windows.
    /// This says nothing about current access; callers also require <see cref="IsCurrentMember"/>.
    /// </summary>
    public bool CanSee(DateTimeOffset messageTime)
    {
        // Windows are few and ordered; walk from the newest because reads are mostly of recent messages.
        for (var i = Windows.Length - 1; i >= 0; i--)
        {
            if (Windows[i].Contains(messageTime))
            {
                return true;
            }

            if (Windows[i].JoinedAt <= messageTime)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>True when the message with this Snowflake ID falls in one of the windows (by its creation time).</summary>
    public bool CanSee(long messageId) => CanSee(Snowflake.GetCreatedAt(messageId));

    /// <summary>Opens a new window at <paramref name="at"/>; a current member stays as is (joining twice is idempotent).</summary>
    /// <exception cref="ArgumentException"><paramref name="at"/> is before the end of the previous window.</exception>
    public MembershipWindows Join(DateTimeOffset at)
    {
        if (IsCurrentMember)
        {
            return this;
        }

        if (!Windows.IsEmpty && at < Windows[^1].LeftAt)
        {
            throw new ArgumentException("A new window cannot open before the previous one closed.", nameof(at));
        }

        return new MembershipWindows(Windows.Add(new MembershipWindow(at)));
    }

    /// <summary>Closes the current window at <paramref name="at"/>; a non-member stays as is.</summary>
    /// <exception cref="ArgumentException"><paramref name="at"/> is before the current window opened.</exception>
    public MembershipWindows Leave(DateTimeOffset at)
    {
        if (!IsCurrentMember)
        {
            return this;
        }

        var current = Windows[^1];
        return new MembershipWindows(Windows.SetItem(Windows.Length - 1, new MembershipWindow(current.JoinedAt, at)));
    }
}
