using WellWon.Grains.Domain;
using WellWon.Grains.Storage;

namespace WellWon.Grains.Tests.Storage;

/// <summary>What every <see cref="IMembershipStore"/> must do.</summary>
public abstract class MembershipStoreContract<TStore>
    where TStore : IMembershipStore
{
    protected static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<TStore> CreateStoreAsync();

    [Fact]
    public async Task Someone_who_never_joined_has_no_record()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync(Guid.NewGuid(), Guid.NewGuid(), None));
        Assert.Empty(await store.ListMembersAsync(Guid.NewGuid(), None));
        Assert.Empty(await store.ListChannelsOfUserAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task An_opened_window_reads_back_open_with_its_role()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();

        Assert.True(await store.OpenWindowAsync(channel, user, MemberRole.Owner, T0, None));

        var member = await store.GetAsync(channel, user, None);
        Assert.NotNull(member);
        Assert.Equal(MemberRole.Owner, member.Role);
        Assert.Equal([new MembershipWindow(T0)], member.Windows);
        Assert.True(member.IsCurrent);
    }

    [Fact]
    public async Task Opening_a_second_window_while_one_is_open_changes_nothing()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();
        await store.OpenWindowAsync(channel, user, MemberRole.Member, T0, None);

        Assert.False(await store.OpenWindowAsync(channel, user, MemberRole.Admin, T0.AddHours(1), None));

        var member = await store.GetAsync(channel, user, None);
        Assert.Equal(MemberRole.Member, member!.Role);
        Assert.Equal([new MembershipWindow(T0)], member.Windows);
    }

    [Fact]
    public async Task Leave_and_rejoin_round_trip_as_ordered_windows()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();
        await store.OpenWindowAsync(channel, user, MemberRole.Admin, T0, None);

        Assert.True(await store.CloseWindowAsync(channel, user, T0.AddHours(1), None));
        Assert.False(await store.CloseWindowAsync(channel, user, T0.AddHours(2), None));
        var left = await store.GetAsync(channel, user, None);
        Assert.False(left!.IsCurrent);
        Assert.Equal(MemberRole.Admin, left.Role);

        Assert.True(await store.OpenWindowAsync(channel, user, MemberRole.Member, T0.AddHours(3), None));

        var member = await store.GetAsync(channel, user, None);
        Assert.Equal(MemberRole.Member, member!.Role);
        Assert.Equal([new MembershipWindow(T0, T0.AddHours(1)), new MembershipWindow(T0.AddHours(3))], member.Windows);
        Assert.True(MembershipWindows.From(member.Windows).CanSee(T0.AddMinutes(30)));
        Assert.False(MembershipWindows.From(member.Windows).CanSee(T0.AddHours(2)));
    }

    [Fact]
    public async Task Closing_without_an_open_window_reports_false()
    {
        var store = await CreateStoreAsync();

        Assert.False(await store.CloseWindowAsync(Guid.NewGuid(), Guid.NewGuid(), T0, None));
    }

    [Fact]
    public async Task Roles_change_only_for_known_members()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();
        await store.OpenWindowAsync(channel, user, MemberRole.Member, T0, None);

        Assert.True(await store.SetRoleAsync(channel, user, MemberRole.Admin, None));
        Assert.False(await store.SetRoleAsync(channel, Guid.NewGuid(), MemberRole.Admin, None));

        Assert.Equal(MemberRole.Admin, (await store.GetAsync(channel, user, None))!.Role);
    }

    [Fact]
    public async Task Members_list_current_and_former_members()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var stays = Guid.NewGuid();
        var leaves = Guid.NewGuid();
        await store.OpenWindowAsync(channel, stays, MemberRole.Owner, T0, None);
        await store.OpenWindowAsync(channel, leaves, MemberRole.Member, T0, None);
        await store.CloseWindowAsync(channel, leaves, T0.AddHours(1), None);

        var members = (await store.ListMembersAsync(channel, None)).ToDictionary(m => m.UserId);

        Assert.Equal(2, members.Count);
        Assert.True(members[stays].IsCurrent);
        Assert.False(members[leaves].IsCurrent);
        Assert.All(members.Values, m => Assert.Equal(channel, m.ChannelId));
    }

    [Fact]
    public async Task A_users_channels_are_those_with_an_open_window()
    {
        var store = await CreateStoreAsync();
        var user = Guid.NewGuid();
        var current = Guid.NewGuid();
        var left = Guid.NewGuid();
        var rejoined = Guid.NewGuid();
        await store.OpenWindowAsync(current, user, MemberRole.Member, T0, None);
        await store.OpenWindowAsync(left, user, MemberRole.Member, T0, None);
        await store.CloseWindowAsync(left, user, T0.AddHours(1), None);
        await store.OpenWindowAsync(rejoined, user, MemberRole.Member, T0, None);
        await store.CloseWindowAsync(rejoined, user, T0.AddHours(1), None);
        await store.OpenWindowAsync(rejoined, user, MemberRole.Member, T0.AddHours(2), None);

        var channels = await store.ListChannelsOfUserAsync(user, None);

        Assert.Equal(new[] { current, rejoined }.Order(), channels.Order());
    }

    [Fact]
    public async Task Returned_records_are_copies_not_aliases()
    {
        var store = await CreateStoreAsync();
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();
        await store.OpenWindowAsync(channel, user, MemberRole.Member, T0, None);
        var snapshot = await store.GetAsync(channel, user, None);

        // A record read earlier does not follow later writes...
        await store.CloseWindowAsync(channel, user, T0.AddHours(1), None);
        Assert.Equal([new MembershipWindow(T0)], snapshot!.Windows);

        // ...and writing into what was returned does not reach the store.
        var bogus = new MembershipWindow(T0.AddYears(-1), T0);
        Aliasing.TryOverwrite(snapshot.Windows, 0, bogus);
        var listed = await store.ListMembersAsync(channel, None);
        Aliasing.TryOverwrite(listed[0].Windows, 0, bogus);
        Aliasing.TryOverwrite(listed, 0, listed[0] with { Role = MemberRole.Owner });

        var member = await store.GetAsync(channel, user, None);
        Assert.Equal([new MembershipWindow(T0, T0.AddHours(1))], member!.Windows);
        Assert.Equal(MemberRole.Member, member.Role);
        Assert.Equal(MemberRole.Member, Assert.Single(await store.ListMembersAsync(channel, None)).Role);
    }
}
