using System.Collections.Concurrent;
using WellWon.Grains.Domain;
using WellWon.Grains.Hosting;
using WellWon.Grains.Interfaces;
using WellWon.Grains.Storage.InMemory;
using WellWon.Runtime;
using WellWon.Testing;

namespace WellWon.Grains.Tests.Cluster;

public sealed class ChatClusterTests
{
    [Fact]
    public async Task Message_ids_carry_the_worker_id_the_owning_silo_leased_from_the_cluster()
    {
        // One store set shared by all silos, as a database would be.
        var stores = new InMemoryChatStores();
        await using var cluster = await TestCluster.StartAsync(3, configureSilo: s => s.AddChatGrains(o => o.WorkerId = 999).AddInMemoryChatStores(stores));
        var owner = Guid.NewGuid();
        var workerIds = new HashSet<int>();
        for (var i = 0; i < 12; i++)
        {
            var channelId = Guid.NewGuid();
            var channel = cluster.Client.GetGrain<IChannelGrain>(channelId);
            await channel.Create(owner, new CreateChannelCommand(ChatChannelType.Group, "c" + i, null));
            var sent = await channel.Send(owner, new SendMessageCommand("hello"));

            var host = cluster.LiveSilos.Single(s => s.HasActivation(GrainId.Create(typeof(IChannelGrain).FullName!, channelId)));
            Assert.Equal(host.WorkerId, Snowflake.GetWorkerId(sent.Message.Id));
            workerIds.Add(Snowflake.GetWorkerId(sent.Message.Id));
        }

        // The configured fallback (999) is never used in a cluster, and channels on different silos use different workers.
        Assert.DoesNotContain(999, workerIds);
        Assert.True(workerIds.Count > 1);
    }

    [Fact]
    public async Task A_gateway_on_the_cluster_client_gets_every_event_of_remote_channels_in_order_and_is_subscribed_when_its_user_is_added()
    {
        var stores = new InMemoryChatStores();
        await using var cluster = await TestCluster.StartAsync(3, configureSilo: s => s.AddChatGrains().AddInMemoryChatStores(stores));
        var owner = await RegisterAsync(cluster, "owner");
        var carol = await RegisterAsync(cluster, "carol");

        var gateway = new OrderedObserver();
        var reference = cluster.Client.CreateObjectReference<IChannelObserver>(gateway);
        await cluster.Client.GetGrain<IUserGatewaysGrain>(carol).Register(reference);

        // Channels spread over the silos; the gateway follows each because carol is added to it.
        const int channels = 6, messages = 200;
        var ids = Enumerable.Range(0, channels).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var id in ids)
        {
            var channel = cluster.Client.GetGrain<IChannelGrain>(id);
            await channel.Create(owner, new CreateChannelCommand(ChatChannelType.Group, "c", null));
            await channel.AddMember(owner, carol);
        }

        Assert.True(ids.Select(id => cluster.LiveSilos.Single(s => s.HasActivation(GrainId.Create(typeof(IChannelGrain).FullName!, id)))).Distinct().Count() > 1);
        await Task.WhenAll(ids.Select(async id =>
        {
            var channel = cluster.Client.GetGrain<IChannelGrain>(id);
            for (var i = 0; i < messages; i++)
            {
                _ = channel.Send(owner, new SendMessageCommand("m" + i));
            }

            await channel.Send(owner, new SendMessageCommand("last"));
        }));

        await Eventually.WaitUntil(() => ids.All(id => gateway.Count(id) == messages + 2), TimeSpan.FromSeconds(30), "every event of every channel");
        foreach (var id in ids)
        {
            var events = gateway.Of(id);
            Assert.Equal(ChannelEventType.MemberAdd, events[0].Type);
            Assert.Equal(carol, events[0].UserId);
            // One channel's events arrive in the order the channel emitted them: sequence and message IDs increase.
            Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
            var messageIds = events.Skip(1).Select(e => e.Message!.Id).ToArray();
            Assert.Equal(messageIds.Order(), messageIds);
        }
    }

    private static async Task<Guid> RegisterAsync(TestCluster cluster, string name)
    {
        var registered = await cluster.Client.GetGrain<IUserRegistryGrain>(name).Register(new RegisterUserCommand(name, "hash", name));
        Assert.Equal(RegisterUserStatus.Created, registered.Status);
        return registered.User!.Id;
    }

    private sealed class OrderedObserver : IChannelObserver
    {
        private readonly ConcurrentDictionary<Guid, List<ChannelEvent>> _events = new();

        public int Count(Guid channel)
        {
            var list = _events.GetOrAdd(channel, _ => []);
            lock (list)
            {
                return list.Count;
            }
        }

        public List<ChannelEvent> Of(Guid channel)
        {
            var list = _events.GetOrAdd(channel, _ => []);
            lock (list)
            {
                return [.. list];
            }
        }

        public Task OnChannelEvent(ChannelEvent channelEvent)
        {
            var list = _events.GetOrAdd(channelEvent.ChannelId, _ => []);
            lock (list)
            {
                list.Add(channelEvent);
            }

            return Task.CompletedTask;
        }
    }
}
