using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WellWon.Grains.Domain;
using WellWon.Grains.Hosting;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;
using WellWon.Runtime.Hosting;

namespace WellWon.Grains.Tests.Grains;

public sealed class ChatHostingTests
{
    [Fact]
    public async Task The_worker_id_comes_from_configuration_and_is_stamped_into_message_ids()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["WellWon:Chat:WorkerId"] = "37";
        builder.Services.AddWellWonSilo(o => o.ClusterId = "hosting-test").AddMemoryGrainStorage().AddChatGrains().AddInMemoryChatStores();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var user = (await grains.GetGrain<IUserRegistryGrain>("worker").Register(new RegisterUserCommand("worker", "h", null))).User!.Id;
            var channel = grains.GetGrain<IChannelGrain>(Guid.NewGuid());
            await channel.Create(user, new CreateChannelCommand(ChatChannelType.Public, "w", null));

            var id = (await channel.Send(user, new SendMessageCommand("hi"))).Message.Id;

            Assert.Equal(37, host.Services.GetRequiredService<ISnowflakeSource>().WorkerId);
            Assert.Equal(37, Snowflake.GetWorkerId(id));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
