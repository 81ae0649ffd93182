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
}
