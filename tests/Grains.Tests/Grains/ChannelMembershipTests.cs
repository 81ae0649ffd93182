using System.Collections.Concurrent;
using WellWon.Grains.Domain;
using WellWon.Grains.Interfaces;
using WellWon.Testing;

namespace WellWon.Grains.Tests.Grains;

public sealed class ChannelMembershipTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_direct_channel_has_the_same_id_from_either_side()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var alice = await silo.UserAsync("alice");
        var bob = await silo.UserAsync("bob");
        var id = ChannelIds.Direct(alice, bob);
        Assert.Equal(id, ChannelIds.Direct(bob, alice));

        var first = await silo.Grains.GetGrain<IChannelGrain>(id).CreateDirect(alice, bob);
        var second = await silo.Grains.GetGrain<IChannelGrain>(ChannelIds.Direct(bob, alice)).CreateDirect(bob, alice);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(id, second.Channel.Id);
        Assert.Equal(ChatChannelType.Direct, second.Channel.Type);
        var channel = silo.Grains.GetGrain<IChannelGrain>(id);
        Assert.Equal(new[] { alice, bob }.Order(), (await channel.GetMembers(bob)).Select(m => m.UserId).Order());
        await Assert.ThrowsAsync<ChatValidationException>(() => silo.Grains.GetGrain<IChannelGrain>(Guid.NewGuid()).CreateDirect(alice, bob));
        await Assert.ThrowsAsync<ChatValidationException>(() => silo.Grains.GetGrain<IChannelGrain>(id).CreateDirect(alice, alice));
        var carol = await silo.UserAsync("carol");
        await Assert.ThrowsAsync<ChatForbiddenException>(() => channel.AddMember(alice, carol));
    }

    [Fact]
    public async Task A_public_channel_is_joined_by_self_and_a_group_only_by_its_owner_or_admins()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var carol = await silo.UserAsync("carol");
        var pub = await silo.ChannelAsync(owner, ChatChannelType.Public);
        var group = await silo.ChannelAsync(owner, ChatChannelType.Group, bob);

        Assert.Equal("room", (await pub.Get(bob)).Name);
        await pub.AddMember(bob, bob);
        await pub.AddMember(bob, bob);
        Assert.True(await pub.IsMember(bob));
        await Assert.ThrowsAsync<ChatForbiddenException>(() => pub.AddMember(bob, carol));

        await Assert.ThrowsAsync<ChatNotFoundException>(() => group.AddMember(carol, carol));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => group.Get(carol));
        await Assert.ThrowsAsync<ChatForbiddenException>(() => group.AddMember(bob, carol));
        await group.AddMember(owner, carol);
        Assert.Equal(
            [(owner, ChatMemberRole.Owner), (bob, ChatMemberRole.Member), (carol, ChatMemberRole.Member)],
            (await group.GetMembers(carol)).Select(m => (m.UserId, m.Role)).OrderBy(m => m.Role == ChatMemberRole.Owner ? 0 : 1).ThenBy(m => m.UserId == bob ? 0 : 1));
        await Assert.ThrowsAsync<ChatForbiddenException>(() => group.RemoveMember(bob, carol));
        await Assert.ThrowsAsync<ChatForbiddenException>(() => group.RemoveMember(bob, owner));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => group.AddMember(owner, Guid.NewGuid()));
        await Assert.ThrowsAsync<ChatConflictException>(() => group.Create(owner, new CreateChannelCommand(ChatChannelType.Group, "again", null)));
        var unknownMember = await Assert.ThrowsAsync<ChatValidationException>(
            () => silo.Grains.GetGrain<IChannelGrain>(Guid.NewGuid()).Create(owner, new CreateChannelCommand(ChatChannelType.Group, "x", [Guid.NewGuid()])));
        Assert.Contains("memberIds", unknownMember.Errors.Keys);
        var badName = await Assert.ThrowsAsync<ChatValidationException>(
            () => silo.Grains.GetGrain<IChannelGrain>(Guid.NewGuid()).Create(owner, new CreateChannelCommand(ChatChannelType.Direct, " ", null)));
        Assert.Equal(["name", "type"], badName.Errors.Keys.Order());
    }

    [Fact]
    public async Task A_removed_member_gets_not_found_on_every_read_path()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Group, bob);
        var message = (await channel.Send(owner, new SendMessageCommand("hi"))).Message;
        await channel.Pin(owner, message.Id);

        await channel.RemoveMember(owner, bob);

        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.Get(bob));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.GetMembers(bob));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.GetHistory(bob, new HistoryRequest()));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.GetMessage(bob, message.Id));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.GetReactions(bob, message.Id));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.GetPins(bob));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.GetReadState(bob));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.MarkRead(bob, message.Id));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.Send(bob, new SendMessageCommand("let me in")));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.AddReaction(bob, message.Id, "👍"));
        await Assert.ThrowsAsync<ChatNotFoundException>(() => channel.RemoveMember(bob, bob));
        Assert.Null(await channel.GetSummary(bob));
        Assert.False(await channel.IsMember(bob));
        Assert.Empty(await silo.Grains.GetGrain<IUserGrain>(bob).GetChannels());
        await Assert.ThrowsAsync<ChatNotFoundException>(() => silo.Grains.GetGrain<IChannelGrain>(Guid.NewGuid()).GetHistory(owner, new HistoryRequest()));
    }

    [Fact]
    public async Task Observers_receive_the_events_of_the_channel_in_order()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var channel = await silo.ChannelAsync(owner, ChatChannelType.Public);
        var observer = new RecordingObserver();
        var reference = silo.Grains.CreateObjectReference<IChannelObserver>(observer);
        await channel.Subscribe(reference);
        await channel.Subscribe(reference);

        await channel.AddMember(bob, bob);
        var message = (await channel.Send(bob, new SendMessageCommand("hi"))).Message;
        await channel.Edit(bob, message.Id, "hello");
        await channel.AddReaction(owner, message.Id, "👍");
        await channel.RemoveReaction(owner, message.Id, "👍");
        await channel.Pin(owner, message.Id);
        await channel.Unpin(owner, message.Id);
        await channel.MarkRead(owner, message.Id);
        await channel.Delete(owner, message.Id);
        await channel.RemoveMember(bob, bob);

        ChannelEventType[] expected =
        [
            ChannelEventType.MemberAdd, ChannelEventType.MessageCreate, ChannelEventType.MessageUpdate,
            ChannelEventType.ReactionAdd, ChannelEventType.ReactionRemove, ChannelEventType.PinAdd, ChannelEventType.PinRemove,
            ChannelEventType.ReadUpdate, ChannelEventType.MessageDelete, ChannelEventType.MemberRemove,
        ];
        await Eventually.WaitUntil(() => observer.Events.Count >= expected.Length, s_wait, "ten channel events");
        var events = observer.Events.OrderBy(e => e.Sequence).ToArray();
        Assert.Equal(expected, events.Select(e => e.Type));
        Assert.Equal("hi", events[1].Message!.Content);
        Assert.Equal("hello", events[2].Message!.Content);
        Assert.Equal("👍", events[3].Emoji);
        Assert.Equal(bob, events[0].Member!.UserId);
        Assert.Equal(message.Id, events[7].LastReadMessageId);
        var channelId = (await channel.Get(owner)).Id;
        Assert.All(events, e => Assert.Equal(channelId, e.ChannelId));

        await channel.Unsubscribe(reference);
        await channel.Send(owner, new SendMessageCommand("unheard"));
        var sentinel = new RecordingObserver();
        var sentinelRef = silo.Grains.CreateObjectReference<IChannelObserver>(sentinel);
        await channel.Subscribe(sentinelRef);
        await channel.Send(owner, new SendMessageCommand("heard"));
        await Eventually.WaitUntil(() => !sentinel.Events.IsEmpty, s_wait, "the sentinel's event");
        Assert.Equal(expected.Length, observer.Events.Count);
    }

    [Fact]
    public async Task A_subscription_lapses_unless_renewed()
    {
        await using var silo = await ChatTestSilo.StartAsync(o => o.SubscriptionLifetime = TimeSpan.FromMinutes(1));
        var owner = await silo.UserAsync("owner");
        var channel = await silo.ChannelAsync(owner);
        var lapsing = new RecordingObserver();
        var renewed = new RecordingObserver();
        var lapsingRef = silo.Grains.CreateObjectReference<IChannelObserver>(lapsing);
        var renewedRef = silo.Grains.CreateObjectReference<IChannelObserver>(renewed);
        await channel.Subscribe(lapsingRef);
        await channel.Subscribe(renewedRef);

        silo.SetWallClock(silo.Clock.UtcNow.AddSeconds(45));
        await channel.Subscribe(renewedRef);
        silo.SetWallClock(silo.Clock.UtcNow.AddSeconds(30));
        await channel.Send(owner, new SendMessageCommand("late"));

        await Eventually.WaitUntil(() => !renewed.Events.IsEmpty, s_wait, "the renewed observer's event");
        Assert.Empty(lapsing.Events);
    }

    [Fact]
    public async Task Adding_a_user_subscribes_the_gateways_registered_for_that_user_before_MEMBER_ADD()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var carol = await silo.UserAsync("carol");
        var channel = await silo.ChannelAsync(owner);
        var gateway = new RecordingObserver();
        var gatewayRef = silo.Grains.CreateObjectReference<IChannelObserver>(gateway);
        var registry = silo.Grains.GetGrain<IUserGatewaysGrain>(carol);
        await registry.Register(gatewayRef);
        Assert.Equal([gatewayRef], await registry.GetGateways());

        await channel.AddMember(owner, carol);
        await channel.Send(owner, new SendMessageCommand("welcome"));

        await Eventually.WaitUntil(() => gateway.Events.Count >= 2, s_wait, "MEMBER_ADD and the message");
        Assert.Equal([ChannelEventType.MemberAdd, ChannelEventType.MessageCreate], gateway.Events.Select(e => e.Type));
        Assert.Equal(carol, gateway.Events.First().UserId);

        await registry.Unregister(gatewayRef);
        Assert.Empty(await registry.GetGateways());
        Assert.Equal([(await channel.Get(owner)).Id], await silo.Grains.GetGrain<IUserGrain>(carol).GetChannelIds());
    }

    [Fact]
    public async Task A_new_channel_announces_every_member_to_the_gateways_of_its_members()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var gateway = new RecordingObserver();
        await silo.Grains.GetGrain<IUserGatewaysGrain>(bob).Register(silo.Grains.CreateObjectReference<IChannelObserver>(gateway));

        var channelId = Guid.NewGuid();
        await silo.Grains.GetGrain<IChannelGrain>(channelId).Create(owner, new CreateChannelCommand(ChatChannelType.Group, "g", [bob]));

        await Eventually.WaitUntil(() => gateway.Events.Count >= 2, s_wait, "two MEMBER_ADDs");
        Assert.All(gateway.Events, e => Assert.Equal(ChannelEventType.MemberAdd, e.Type));
        Assert.Equal([owner, bob], gateway.Events.Select(e => e.UserId!.Value));
    }

    [Fact]
    public async Task A_gateway_registration_lapses_unless_renewed()
    {
        await using var silo = await ChatTestSilo.StartAsync(o => o.GatewayRegistrationLifetime = TimeSpan.FromMinutes(1));
        var user = await silo.UserAsync("user1");
        var registry = silo.Grains.GetGrain<IUserGatewaysGrain>(user);
        var lapsing = silo.Grains.CreateObjectReference<IChannelObserver>(new RecordingObserver());
        var renewed = silo.Grains.CreateObjectReference<IChannelObserver>(new RecordingObserver());
        await registry.Register(lapsing);
        await registry.Register(renewed);

        silo.SetWallClock(silo.Clock.UtcNow.AddSeconds(45));
        await registry.Register(renewed);
        silo.SetWallClock(silo.Clock.UtcNow.AddSeconds(30));

        Assert.Equal([renewed], await registry.GetGateways());
    }

    private sealed class RecordingObserver : IChannelObserver
    {
        public ConcurrentQueue<ChannelEvent> Events { get; } = new();

        public Task OnChannelEvent(ChannelEvent channelEvent)
        {
            Events.Enqueue(channelEvent);
            return Task.CompletedTask;
        }
    }
}
