using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using WellWon.Api.Gateway;
using WellWon.Testing;
using Xunit.Abstractions;

namespace WellWon.Api.Tests.Gateway;

/// <summary>A client that stops reading its socket, on a host with a 64-dispatch send queue.</summary>
public sealed class GatewayPressureTests(PressureGatewayApiFactory api, ITestOutputHelper output) : IClassFixture<PressureGatewayApiFactory>
{
    private GatewayNode Node => api.Services.GetRequiredService<GatewayNode>();

    [Fact]
    public async Task A_stalled_client_does_not_delay_the_others_and_is_closed()
    {
        var alice = await api.NewUserAsync("a");
        var bob = await api.NewUserAsync("b");
        var carol = await api.NewUserAsync("c");
        var channel = await Chat.CreateChannelAsync(alice, "group", bob.Id, carol.Id);
        await using var healthy = await GatewayClient.IdentifyAsync(api.ServerAddress, bob.Token);
        var content = new string('x', 3000);

        // Baseline: the same traffic with nobody stalled.
        var baseline = await SendAndMeasureAsync(alice, channel, healthy, content, 60);

        using var stalled = await StalledClient.IdentifyAsync(api.ServerAddress, carol.Token);
        await Eventually.WaitUntil(() => Node.SessionsOf(carol.Id).Count == 1, GatewayClient.Wait, "carol's session");
        var carolsSession = Node.SessionsOf(carol.Id)[0];

        var underStall = await SendAndMeasureAsync(alice, channel, healthy, content, 200);
        output.WriteLine($"healthy session latency, nobody stalled: p50 {baseline.P50:F1} ms, max {baseline.Max:F1} ms; " +
                         $"with a stalled client: p50 {underStall.P50:F1} ms, p99 {underStall.P99:F1} ms, max {underStall.Max:F1} ms; " +
                         $"REST send max {underStall.SendMax:F1} ms");

        // The stalled session overflowed its 64-dispatch queue and lost its connection; it stays resumable.
        await Eventually.WaitUntil(() => !carolsSession.IsAttached, GatewayClient.Wait, "the stalled connection to be closed");
        // Nothing was lost for it: all 200 messages are numbered and kept, so a resume from 0 replays them.
        Assert.False(carolsSession.Ended);
        Assert.Equal(200, carolsSession.Seq);
        Assert.True(carolsSession.CanResumeFrom(0));

        // Nobody waited for the stalled client: every message reached the healthy session promptly, and sends did not block.
        Assert.True(underStall.Max < 2000, $"slowest delivery to the healthy session took {underStall.Max:F0} ms");
        Assert.True(underStall.SendMax < 2000, $"slowest REST send took {underStall.SendMax:F0} ms");
    }

    private static async Task<Latencies> SendAndMeasureAsync(TestUser author, string channel, GatewayClient reader, string content, int count)
    {
        var sentAt = new ConcurrentDictionary<string, long>();
        var latencies = new List<double>();
        var sendMax = 0.0;
        var receiving = Task.Run(async () =>
        {
            while (latencies.Count < count)
            {
                var dispatch = await reader.NextDispatchAsync();
                if (dispatch.Str("type") != "MESSAGE_CREATE")
                {
                    continue;
                }

                var arrived = Stopwatch.GetTimestamp();
                var nonce = dispatch.GetProperty("data").Str("nonce");
                await Eventually.WaitUntil(() => sentAt.ContainsKey(nonce), GatewayClient.Wait, "the send timestamp");
                latencies.Add(Stopwatch.GetElapsedTime(sentAt[nonce], arrived).TotalMilliseconds);
            }
        });

        for (var i = 0; i < count; i++)
        {
            var nonce = Guid.NewGuid().ToString("N");
            var started = Stopwatch.GetTimestamp();
            sentAt[nonce] = started;
            await Chat.SendAsync(author, channel, content, nonce);
            sendMax = Math.Max(sendMax, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        await receiving.WaitAsync(GatewayClient.Wait);
        latencies.Sort();
        return new Latencies(latencies.Count, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)], latencies[^1], sendMax);
    }

    private sealed record Latencies(int Count, double P50, double P99, double Max, double SendMax);

    /// <summary>A WebSocket client with a tiny receive buffer that identifies and then never reads again.</summary>
    private sealed class StalledClient : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly WebSocket _socket;

        private StalledClient(TcpClient tcp, WebSocket socket)
        {
            _tcp = tcp;
            _socket = socket;
        }

        public static async Task<StalledClient> IdentifyAsync(Uri server, string token)
        {
            var tcp = new TcpClient { ReceiveBufferSize = 4096 };
            await tcp.ConnectAsync(server.Host, server.Port);
            var stream = tcp.GetStream();
            var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            var request = $"GET /gateway HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                          $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

            // Read the response head byte by byte so that nothing after it is consumed.
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                Assert.Equal(1, await stream.ReadAsync(one));
                head.Append((char)one[0]);
            }

            Assert.StartsWith("HTTP/1.1 101", head.ToString(), StringComparison.Ordinal);
            var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
            await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"op\":\"identify\",\"token\":\"{token}\"}}"), WebSocketMessageType.Text, true, CancellationToken.None);
            return new StalledClient(tcp, socket);
        }

        public void Dispose()
        {
            _socket.Abort();
            _socket.Dispose();
            _tcp.Dispose();
        }
    }
}
