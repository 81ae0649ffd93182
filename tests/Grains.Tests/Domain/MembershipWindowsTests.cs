using WellWon.Grains.Domain;

namespace WellWon.Grains.Tests.Domain;

public class MembershipWindowsTests
{
    private static readonly DateTimeOffset T0 = Snowflake.Epoch.AddDays(30);

    [Fact]
    public void Someone_who_never_joined_is_not_a_member_and_sees_nothing()
    {
        Assert.False(MembershipWindows.None.IsCurrentMember);
        Assert.False(MembershipWindows.None.CanSee(T0));
    }

    [Fact]
    public void A_current_member_sees_from_the_instant_they_joined_onward()
    {
        var member = MembershipWindows.None.Join(T0);

        Assert.True(member.IsCurrentMember);
        Assert.Equal(T0, member.CurrentJoinedAt);
        Assert.False(member.CanSee(T0.AddTicks(-1)));
        Assert.True(member.CanSee(T0));
        Assert.True(member.CanSee(T0.AddYears(5)));
    }

    [Fact]
    public void Leaving_closes_the_window_at_the_instant_of_leaving_exclusive()
    {
        var left = MembershipWindows.None.Join(T0).Leave(T0.AddHours(1));

        Assert.False(left.IsCurrentMember);
        Assert.Null(left.CurrentJoinedAt);
        Assert.True(left.CanSee(T0.AddHours(1).AddTicks(-1)));
        Assert.False(left.CanSee(T0.AddHours(1)));
    }

    [Fact]
    public void Rejoining_opens_a_new_window_and_the_time_away_stays_invisible()
    {
        var leftAt = T0.AddHours(1);
        var rejoinedAt = T0.AddHours(2);
        var member = MembershipWindows.None.Join(T0).Leave(leftAt).Join(rejoinedAt);

        Assert.True(member.IsCurrentMember);
        Assert.Equal(2, member.Windows.Length);
        Assert.True(member.CanSee(T0.AddMinutes(30)));
        Assert.False(member.CanSee(leftAt));
        Assert.False(member.CanSee(rejoinedAt.AddTicks(-1)));
        Assert.True(member.CanSee(rejoinedAt));
        Assert.True(member.CanSee(rejoinedAt.AddDays(1)));
    }

    [Fact]
    public void Visibility_by_message_id_uses_the_ids_creation_time()
    {
        var joinedAt = Snowflake.Epoch.AddMilliseconds(1000);
        var member = MembershipWindows.None.Join(joinedAt).Leave(joinedAt.AddMilliseconds(10));

        Assert.False(member.CanSee(Snowflake.Create(999, 1023, 4095)));
        Assert.True(member.CanSee(Snowflake.Create(1000, 0, 0)));
        Assert.True(member.CanSee(Snowflake.Create(1009, 1023, 4095)));
        Assert.False(member.CanSee(Snowflake.Create(1010, 0, 0)));
    }

    [Fact]
    public void A_window_translates_into_the_id_range_it_can_see()
    {
        var joinedAt = Snowflake.Epoch.AddMilliseconds(1000);
        var window = new MembershipWindow(joinedAt, joinedAt.AddMilliseconds(10));

        Assert.Equal((Snowflake.Create(1000, 0, 0), Snowflake.Create(1009, 1023, 4095)), window.ToIdRange());
        Assert.Equal(long.MaxValue, new MembershipWindow(joinedAt).ToIdRange().Last);
    }

    [Fact]
    public void Joining_twice_or_leaving_twice_changes_nothing()
    {
        var member = MembershipWindows.None.Join(T0);
        Assert.Same(member, member.Join(T0.AddHours(1)));

        var left = member.Leave(T0.AddHours(1));
        Assert.Same(left, left.Leave(T0.AddHours(2)));
    }

    [Fact]
    public void Windows_cannot_close_before_they_open_or_overlap()
    {
        var member = MembershipWindows.None.Join(T0);
        Assert.Throws<ArgumentException>(() => member.Leave(T0.AddTicks(-1)));

        var left = member.Leave(T0.AddHours(1));
        Assert.Throws<ArgumentException>(() => left.Join(T0.AddMinutes(59)));

        // Rejoining at the very instant of leaving is allowed: the windows touch but do not overlap.
        Assert.True(left.Join(T0.AddHours(1)).IsCurrentMember);
    }

    [Fact]
    public void Stored_windows_are_checked_when_rebuilt()
    {
        var ok = MembershipWindows.From([new MembershipWindow(T0, T0.AddHours(1)), new MembershipWindow(T0.AddHours(2))]);
        Assert.True(ok.IsCurrentMember);

        Assert.Throws<ArgumentException>(() =>
            MembershipWindows.From([new MembershipWindow(T0), new MembershipWindow(T0.AddHours(2))]));
        Assert.Throws<ArgumentException>(() =>
            MembershipWindows.From([new MembershipWindow(T0, T0.AddHours(3)), new MembershipWindow(T0.AddHours(2))]));
        Assert.Throws<ArgumentException>(() => new MembershipWindow(T0, T0.AddTicks(-1)));
    }
}
