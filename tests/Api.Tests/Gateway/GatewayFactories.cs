using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace WellWon.Api.Tests.Gateway;

/// <summary>The API host on a real loopback port with the gateway's default settings.</summary>
public sealed class GatewayApiFactory : ApiFactory
{
    protected override bool RealServer => true;

    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("WellWon:Api:RateLimit:Enabled", "false")];
}

/// <summary>Short heartbeat, identify timeout and resume window, and a small replay buffer.</summary>
public sealed class TimingGatewayApiFactory : ApiFactory
{
    protected override bool RealServer => true;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("WellWon:Gateway:HeartbeatInterval", "00:00:00.400"),
        new("WellWon:Gateway:IdentifyTimeout", "00:00:00.500"),
        new("WellWon:Gateway:ResumeWindow", "00:00:01"),
        new("WellWon:Gateway:ReplayLimit", "16"),
        new("WellWon:Gateway:SendQueueLimit", "16"),
        new("WellWon:Gateway:ShedThreshold", "4"),
        new("WellWon:Gateway:PresenceMaxChannelMembers", "3"),
        new("WellWon:Gateway:MaxSessionsPerUser", "2"),
        new("WellWon:Api:RateLimit:Enabled", "false"),
    ];
}

/// <summary>
/// A small send queue, so a client that stops reading is found out quickly, and small kernel send buffers (accepted
/// sockets inherit SO_SNDBUF from the listening socket), so that megabytes do not vanish into loopback buffers first.
/// </summary>
public sealed class PressureGatewayApiFactory : ApiFactory
{
    protected override bool RealServer => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.Configure<SocketTransportOptions>(options =>
            options.CreateBoundListenSocket = endpoint =>
            {
                var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                socket.SendBufferSize = 16 * 1024;
                return socket;
            }));
    }

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("WellWon:Gateway:SendQueueLimit", "64"),
        new("WellWon:Gateway:ShedThreshold", "8"),
        new("WellWon:Gateway:SendTimeout", "00:00:05"),
        new("WellWon:Api:RateLimit:Enabled", "false"),
    ];
}
