using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WellWon.Api;
using WellWon.Grains.Interfaces;
using WellWon.Runtime;

namespace WellWon.Bench;

/// <summary>
/// Fan-out of one message to N gateway sessions: the API host (dev mode: in-process silo, in-memory stores) runs in this
/// process, the N WebSocket clients in a child process (<see cref="GatewayClients"/>), so each side has the whole
/// open-file limit for its N sockets.
/// </summary>
/// <remarks>
/// A round: take a Stopwatch timestamp t0, call <see cref="IChannelGrain.Send"/> on the host's grain factory (a public
/// channel whose N members each have one connected session) and tell the child t0; the child notes when each session
/// receives that MESSAGE_CREATE. The latency figures are over all N x R arrivals after the warm-up rounds.
/// The baselines are the same measurement, same client harness, against a bare Kestrel WebSocket endpoint in this
/// process that writes one pre-encoded frame of the same shape to each of its N sockets: from one loop
/// (<c>baseline_loopback_*</c>), then from one thread-pool task per core, each looping over its share
/// (<c>baseline_parallel_*</c>). They are what fan-out over loopback WebSockets costs on this machine with no gateway,
/// no grain and no per-session queue.
/// </remarks>
public static class GatewayBench
{
    private const int WarmupRounds = 3;
    private const int FdReserve = 512;
    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromMinutes(30);

    public static async Task RunAsync(BenchArgs args)
    {
        var sessions = args.Sessions;
        var rounds = args.Rounds;
        if (sessions < 1 || rounds < 1)
        {
            throw new ArgumentException("--sessions and --rounds must be positive");
        }

        var fdLimit = OpenFileLimit();
        if (fdLimit is { } limit && sessions + FdReserve > limit)
        {
            Console.Error.WriteLine(
                $"gateway: {sessions} sessions need {sessions} sockets in the server process and {sessions} in the client process, " +
                $"plus about {FdReserve} other descriptors each; the open-file limit here is {limit}, so at most {limit - FdReserve} sessions " +
                "(raise it with ulimit -n).");
            Environment.Exit(2);
        }

        Report.Figure("gateway.sessions", sessions);
        Report.Figure("gateway.rounds", rounds);

        var baseline = await RunBaselineAsync(sessions, rounds);
        Report.Figure("gateway.baseline_loopback_p50_ms", baseline.Latency.P50);
        Report.Figure("gateway.baseline_loopback_p99_ms", baseline.Latency.P99);
        Report.Figure("gateway.baseline_loopback_max_ms", baseline.Latency.Max);
        Report.Figure("gateway.baseline_write_loop_ms", baseline.Latency.SendCallMs);
        Report.Figure("gateway.baseline_loopback_complete_median_ms", baseline.Latency.CompleteMs);
        var parallel = baseline.Parallel!;
        Report.Figure("gateway.baseline_parallel_p50_ms", parallel.P50);
        Report.Figure("gateway.baseline_parallel_p99_ms", parallel.P99);
        Report.Figure("gateway.baseline_parallel_max_ms", parallel.Max);
        Report.Figure("gateway.baseline_parallel_write_ms", parallel.SendCallMs);
        Report.Figure("gateway.baseline_parallel_complete_median_ms", parallel.CompleteMs);
        Report.Figure("gateway.baseline_connect_s", baseline.ConnectSeconds);
        Report.Figure("gateway.baseline_connect_server_cpu_s", baseline.ConnectCpuSeconds);
        Report.Figure("gateway.baseline_connect_alloc_kb_per_session", baseline.ConnectAllocatedKbPerSession);
        Report.Figure("gateway.baseline_session_memory_kb", baseline.MemoryKb);
        Report.Figure("gateway.baseline_session_working_set_kb", baseline.WorkingSetKb);

        Collect();
        var gateway = await RunGatewayAsync(sessions, rounds);
        Report.Figure("gateway.connect_s", gateway.ConnectSeconds);
        Report.Figure("gateway.connect_quiet_s", gateway.QuietSeconds);
        Report.Figure("gateway.connect_server_cpu_s", gateway.ConnectCpuSeconds);
        Report.Figure("gateway.connect_alloc_kb_per_session", gateway.ConnectAllocatedKbPerSession);
        Report.Figure("gateway.connect_frames_per_session", gateway.ConnectFrames / (double)sessions);
        Report.Figure("gateway.connect_dispatches_per_session", gateway.ConnectDispatched / (double)sessions);
        Report.Figure("gateway.connect_shed_per_session", gateway.ConnectShed / (double)sessions);
        Report.Figure("gateway.fanout_p50_ms", gateway.Latency.P50);
        Report.Figure("gateway.fanout_p99_ms", gateway.Latency.P99);
        Report.Figure("gateway.fanout_max_ms", gateway.Latency.Max);
        Report.Figure("gateway.fanout_complete_median_ms", gateway.Latency.CompleteMs);
        Report.Figure("gateway.server_send_call_median_ms", gateway.Latency.SendCallMs);
        Report.Figure("gateway.server_queued_median_ms", gateway.Server!.QueuedMs);
        Report.Figure("gateway.server_first_write_median_ms", gateway.Server.FirstWriteMs);
        Report.Figure("gateway.server_last_write_median_ms", gateway.Server.LastWriteMs);
        Report.Figure("gateway.fanout_p99_vs_baseline", baseline.Latency.P99 <= 0 ? 0 : gateway.Latency.P99 / baseline.Latency.P99);
        Report.Figure("gateway.fanout_p99_vs_parallel_baseline", parallel.P99 <= 0 ? 0 : gateway.Latency.P99 / parallel.P99);
        Report.Figure("gateway.session_memory_kb", gateway.MemoryKb);
        Report.Figure("gateway.session_working_set_kb", gateway.WorkingSetKb);
    }

    // ---------------------------------------------------------------- the gateway

    private static async Task<PhaseResult> RunGatewayAsync(int sessions, int rounds)
    {
        var keyPath = Path.Combine(Path.GetTempPath(), $"wellwon-bench-{Guid.NewGuid():N}");
        var tokensPath = Path.Combine(Path.GetTempPath(), $"wellwon-bench-tokens-{Guid.NewGuid():N}");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["WellWon:Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["WellWon:Auth:DevelopmentKeyPath"] = keyPath,
            ["WellWon:Api:RateLimit:Enabled"] = "false",
            // The clients send no heartbeats during a run (they would add load of their own); the longest interval
            // the gateway accepts keeps every session alive for 20 min.
            ["WellWon:Gateway:HeartbeatInterval"] = "00:10:00",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        // Kestrel and the bench share stderr; logs go there, figures stay alone on stdout.
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddWellWonApi();
        var app = builder.Build();
        app.MapWellWonApi();
        await app.StartAsync();
        try
        {
            var url = BoundUrl(app, "/gateway");
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            var tokenService = app.Services.GetRequiredService<TokenService>();

            Report.Progress($"gateway: registering {sessions} users");
            var started = Stopwatch.GetTimestamp();
            var users = new Guid[sessions];
            var prefix = Guid.NewGuid().ToString("N")[..8];
            await ForEachAsync(sessions, 256, async i =>
            {
                var name = $"b{prefix}{i}";
                var result = await grains.GetGrain<IUserRegistryGrain>(name).Register(new RegisterUserCommand(name, "bench-not-a-password-hash", null));
                users[i] = result.User?.Id ?? throw new InvalidOperationException($"could not register {name}: {result.Status}");
            });
            Report.Progress($"gateway: registered in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s; creating the channel");
            var channel = grains.GetGrain<IChannelGrain>(Guid.NewGuid());
            await channel.Create(users[0], new CreateChannelCommand(ChatChannelType.Public, "bench", users[1..]));
            if ((await channel.GetMembers(users[0])).Count != sessions)
            {
                throw new InvalidOperationException("the channel does not have every user as a member");
            }

            await File.WriteAllLinesAsync(tokensPath, users.Select(tokenService.Issue));
            Report.Progress($"gateway: channel ready with {sessions} members ({Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s)");

            using var probe = new GatewayProbe(sessions);
            var before = Collect();
            var countsBefore = probe.Totals;
            await using var clients = await ClientProcess.StartAsync(url, sessions, tokensPath);
            var ready = await clients.ExpectAsync(s_connectTimeout, "READY");
            var connectSeconds = double.Parse(ready[1], CultureInfo.InvariantCulture);
            Report.Progress($"gateway: {sessions} sessions ready after {connectSeconds:0.0} s; waiting for presence updates to settle");
            var quietStarted = Stopwatch.GetTimestamp();
            clients.Tell("QUIET");
            var quiet = await clients.ExpectAsync(s_connectTimeout, "QUIET");
            var quietSeconds = connectSeconds + Stopwatch.GetElapsedTime(quietStarted).TotalSeconds - 0.5;
            var frames = long.Parse(quiet[1], CultureInfo.InvariantCulture);
            var after = Collect();
            var countsAfter = probe.Totals;
            Report.Progress($"gateway: while connecting the server queued {countsAfter.Dispatched - countsBefore.Dispatched} dispatches, " +
                $"shed {countsAfter.Shed - countsBefore.Shed} and wrote {countsAfter.Sent - countsBefore.Sent} frames");

            var latency = await RunRoundsAsync(clients, rounds, first: 0, async (round, measure) =>
            {
                var t0 = Stopwatch.GetTimestamp();
                probe.StartRound(t0);
                var sent = channel.Send(users[0], new SendMessageCommand($"round {round}"));
                clients.Tell(string.Create(CultureInfo.InvariantCulture, $"ROUND {round} {t0} {(measure ? 1 : 0)}"));
                await sent;
                return t0;
            }, probe);

            await clients.QuitAsync();
            return new PhaseResult(latency, connectSeconds, quietSeconds, frames, sessions, before, after)
            {
                ConnectDispatched = countsAfter.Dispatched - countsBefore.Dispatched,
                ConnectShed = countsAfter.Shed - countsBefore.Shed,
                Server = probe.Medians(),
            };
        }
        finally
        {
            Report.Progress("gateway: stopping the host");
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await app.StopAsync(stop.Token);
            }

            await app.DisposeAsync();
            File.Delete(keyPath);
            File.Delete(tokensPath);
        }
    }

    // ---------------------------------------------------------------- the baseline: bare Kestrel WebSockets

    private static async Task<PhaseResult> RunBaselineAsync(int sessions, int rounds)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new BroadcastServer();
        app.UseWebSockets();
        app.Map("/raw", server.HandleAsync);
        await app.StartAsync();
        try
        {
            var url = BoundUrl(app, "/raw");
            var before = Collect();
            Report.Progress($"baseline: connecting {sessions} raw WebSockets");
            await using var clients = await ClientProcess.StartAsync(url, sessions, tokensPath: null);
            var ready = await clients.ExpectAsync(s_connectTimeout, "READY");
            var connectSeconds = double.Parse(ready[1], CultureInfo.InvariantCulture);
            var after = Collect();

            Report.Progress("baseline: one loop writes the frame to every socket");
            var latency = await RunRoundsAsync(clients, rounds, first: 0, async (round, measure) =>
            {
                var frame = BroadcastServer.Frame(round);
                var t0 = Stopwatch.GetTimestamp();
                var sending = server.Broadcast(frame, parts: 1);
                clients.Tell(string.Create(CultureInfo.InvariantCulture, $"ROUND {round} {t0} {(measure ? 1 : 0)}"));
                await sending;
                return t0;
            });

            clients.Tell("RESET");
            await clients.ExpectAsync("RESET");
            Report.Progress($"baseline: {Environment.ProcessorCount} thread-pool tasks write the frame, each to its share of the sockets");
            var parallel = await RunRoundsAsync(clients, rounds, first: 1000, async (round, measure) =>
            {
                var frame = BroadcastServer.Frame(round);
                var t0 = Stopwatch.GetTimestamp();
                var sending = server.Broadcast(frame, Environment.ProcessorCount);
                clients.Tell(string.Create(CultureInfo.InvariantCulture, $"ROUND {round} {t0} {(measure ? 1 : 0)}"));
                await sending;
                return t0;
            });

            await clients.QuitAsync();
            return new PhaseResult(latency, connectSeconds, connectSeconds, sessions, sessions, before, after) { Parallel = parallel };
        }
        finally
        {
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await app.StopAsync(stop.Token);
            }

            await app.DisposeAsync();
        }
    }

    /// <summary>Keeps every accepted socket and writes one frame to all of them from one loop.</summary>
    private sealed class BroadcastServer
    {
        private static readonly byte[] s_ready = "{\"op\":\"ready\",\"sessionId\":\"raw\"}"u8.ToArray();
        private readonly List<WebSocket> _sockets = [];

        /// <summary>A frame the size and shape of a gateway MESSAGE_CREATE.</summary>
        public static byte[] Frame(int round) => Encoding.UTF8.GetBytes(
            "{\"op\":\"dispatch\",\"seq\":" + (round + 1).ToString(CultureInfo.InvariantCulture) +
            ",\"type\":\"MESSAGE_CREATE\",\"data\":{\"id\":\"7398021532415238144\",\"channelId\":\"" + Guid.NewGuid() +
            "\",\"authorId\":\"" + Guid.NewGuid() + "\",\"content\":\"round " + round.ToString(CultureInfo.InvariantCulture) +
            "\",\"createdAt\":\"2026-11-21T02:00:00.000Z\",\"editedAt\":null,\"deleted\":false,\"replyToId\":null,\"nonce\":null}}");

        public async Task HandleAsync(HttpContext context)
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.SendAsync(s_ready, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            lock (_sockets)
            {
                _sockets.Add(socket);
            }

            var buffer = new byte[256];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), context.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        break;
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
            {
            }
            finally
            {
                lock (_sockets)
                {
                    _sockets.Remove(socket);
                }
            }
        }

        /// <summary>
        /// Writes the frame to every socket: with one part, in a loop on the calling thread; with more, each of that many
        /// thread-pool tasks loops over its share (every parts-th socket).
        /// </summary>
        public Task Broadcast(byte[] frame, int parts)
        {
            WebSocket[] sockets;
            lock (_sockets)
            {
                sockets = [.. _sockets];
            }

            if (parts <= 1)
            {
                return Write(sockets, frame, 0, 1);
            }

            var tasks = new Task[parts];
            for (var p = 0; p < parts; p++)
            {
                var part = p;
                tasks[p] = Task.Run(() => Write(sockets, frame, part, parts));
            }

            return Task.WhenAll(tasks);
        }

        private static Task Write(WebSocket[] sockets, byte[] frame, int start, int step)
        {
            List<Task>? pending = null;
            for (var i = start; i < sockets.Length; i += step)
            {
                var send = sockets[i].SendAsync(frame.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                if (!send.IsCompletedSuccessfully)
                {
                    (pending ??= []).Add(send.AsTask());
                }
            }

            return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
        }
    }

    // ---------------------------------------------------------------- shared

    /// <summary>Warm-up rounds, then measured rounds, numbered from <paramref name="first"/>; send(round, measured) returns t0.</summary>
    private static async Task<Percentiles> RunRoundsAsync(ClientProcess clients, int rounds, int first, Func<int, bool, Task<long>> send, GatewayProbe? probe = null)
    {
        var calls = new List<double>();
        var lasts = new List<string>();
        var completions = new List<double>();
        var gcBefore = (0, 0, 0);
        for (var round = first; round < first + WarmupRounds + rounds; round++)
        {
            var measure = round - first >= WarmupRounds;
            if (round - first == WarmupRounds)
            {
                gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            }

            var t0 = await send(round, measure);
            if (measure)
            {
                calls.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            var answer = await clients.ExpectAsync("DONE", "FAIL");
            if (answer[0] == "FAIL")
            {
                throw new InvalidOperationException($"round {round}: only {answer[2]} sessions received the message within 120 s");
            }

            lasts.Add(answer[2]);
            if (measure)
            {
                probe?.EndRound();
                completions.Add(double.Parse(answer[2], CultureInfo.InvariantCulture));
            }

            // Let the last sends' bookkeeping finish before the next round starts.
            await Task.Delay(50);
        }

        var serverGcs = $"{GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}";
        clients.Tell("STATS");
        var stats = await clients.ExpectAsync("STATS");
        calls.Sort();
        var result = new Percentiles(
            double.Parse(stats[2], CultureInfo.InvariantCulture),
            double.Parse(stats[3], CultureInfo.InvariantCulture),
            double.Parse(stats[4], CultureInfo.InvariantCulture),
            calls[calls.Count / 2],
            completions.Order().ElementAt(completions.Count / 2));
        Report.Progress(string.Create(CultureInfo.InvariantCulture,
            $"  {stats[1]} samples; send call (t0 to its completion) median {result.SendCallMs:0.###} ms; first arrival median {stats[5]} ms; " +
            $"GCs gen0/1/2 during the measured rounds: server {serverGcs}, clients {stats[6]}"));
        Report.Progress($"  last arrival per round (ms, {WarmupRounds} warm-up rounds first): {string.Join(' ', lasts)}");
        return result;
    }

    private static async Task ForEachAsync(int count, int concurrency, Func<int, Task> action)
    {
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await action(i);
            }
        });
        await Task.WhenAll(workers);
    }

    private static string BoundUrl(WebApplication app, string path)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return "ws" + address["http".Length..].TrimEnd('/') + path;
    }

    /// <summary>
    /// Managed heap after a full blocking compacting collection and the working set (bytes), with the bytes allocated and
    /// the CPU time used by this process so far.
    /// </summary>
    private static Snapshot Collect()
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < 2; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var process = Process.GetCurrentProcess();
        return new Snapshot(GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64, allocated, process.TotalProcessorTime);
    }

    /// <summary>The soft open-file limit of this process (Linux), or null when unknown.</summary>
    private static int? OpenFileLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return int.TryParse(soft, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>Latencies over all samples; SendCallMs and CompleteMs are medians over the measured rounds.</summary>
    private sealed record Percentiles(double P50, double P99, double Max, double SendCallMs, double CompleteMs);

    /// <summary>Milliseconds from t0: the dispatch queued to every session, the first and the last frame written.</summary>
    private sealed record ServerSteps(double QueuedMs, double FirstWriteMs, double LastWriteMs);

    /// <summary>
    /// Listens to the gateway's own counters (meter WellWon.Api): totals, and per round when the MESSAGE_CREATE was queued
    /// to all sessions (the dispatches counter is added once per fan-out, after the loop over the sessions) and when the
    /// first and last frames were written (the sent counter is added after each write completes).
    /// </summary>
    private sealed class GatewayProbe : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly int _sessions;
        private readonly List<ServerSteps> _rounds = [];
        private long _dispatched;
        private long _sent;
        private long _shed;
        private long _t0;
        private long _queuedAt;
        private long _firstWriteAt;
        private long _lastWriteAt;

        public GatewayProbe(int sessions)
        {
            _sessions = sessions;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "WellWon.Api" && instrument.Name is "wellwon.gateway.dispatches" or "wellwon.gateway.dispatches.sent" or "wellwon.gateway.shed")
                {
                    listener.EnableMeasurementEvents(instrument, this);
                }
            };
            _listener.SetMeasurementEventCallback<long>(static (instrument, value, _, state) => ((GatewayProbe)state!).Measured(instrument.Name, value));
            _listener.Start();
        }

        public (long Dispatched, long Sent, long Shed) Totals => (Interlocked.Read(ref _dispatched), Interlocked.Read(ref _sent), Interlocked.Read(ref _shed));

        public void StartRound(long t0)
        {
            Volatile.Write(ref _queuedAt, 0);
            Volatile.Write(ref _firstWriteAt, 0);
            Volatile.Write(ref _lastWriteAt, 0);
            Volatile.Write(ref _t0, t0);
        }

        public void EndRound()
        {
            var t0 = Volatile.Read(ref _t0);
            double Ms(long at) => at == 0 ? double.NaN : (at - t0) * 1000.0 / Stopwatch.Frequency;
            _rounds.Add(new ServerSteps(Ms(Volatile.Read(ref _queuedAt)), Ms(Volatile.Read(ref _firstWriteAt)), Ms(Volatile.Read(ref _lastWriteAt))));
        }

        public ServerSteps Medians()
        {
            static double Median(IEnumerable<double> values)
            {
                var sorted = values.Order().ToArray();
                return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
            }

            return new ServerSteps(Median(_rounds.Select(r => r.QueuedMs)), Median(_rounds.Select(r => r.FirstWriteMs)), Median(_rounds.Select(r => r.LastWriteMs)));
        }

        public void Dispose() => _listener.Dispose();

        private void Measured(string name, long value)
        {
            switch (name)
            {
                case "wellwon.gateway.dispatches":
                    Interlocked.Add(ref _dispatched, value);
                    if (value >= _sessions && Volatile.Read(ref _t0) != 0)
                    {
                        Interlocked.CompareExchange(ref _queuedAt, Stopwatch.GetTimestamp(), 0);
                    }

                    break;
                case "wellwon.gateway.dispatches.sent":
                    Interlocked.Add(ref _sent, value);
                    if (Volatile.Read(ref _t0) != 0)
                    {
                        var now = Stopwatch.GetTimestamp();
                        Interlocked.CompareExchange(ref _firstWriteAt, now, 0);
                        Volatile.Write(ref _lastWriteAt, now);
                    }

                    break;
                default:
                    Interlocked.Add(ref _shed, value);
                    break;
            }
        }
    }

    private sealed record Snapshot(long Heap, long WorkingSet, long Allocated, TimeSpan Cpu);

    /// <summary>One phase's figures; the snapshots are taken before the clients connect and once they are connected and quiet.</summary>
    private sealed record PhaseResult(Percentiles Latency, double ConnectSeconds, double QuietSeconds, long ConnectFrames, int Sessions, Snapshot Before, Snapshot After)
    {
        public long ConnectDispatched { get; init; }

        public long ConnectShed { get; init; }

        /// <summary>Gateway only: medians over the measured rounds of the server-side steps (<see cref="GatewayProbe"/>).</summary>
        public ServerSteps? Server { get; init; }

        /// <summary>The baseline's second series: the writes spread over the cores.</summary>
        public Percentiles? Parallel { get; init; }

        public double MemoryKb => (After.Heap - Before.Heap) / 1024.0 / Sessions;

        public double WorkingSetKb => (After.WorkingSet - Before.WorkingSet) / 1024.0 / Sessions;

        /// <summary>Server CPU seconds spent while the sessions connected (this process only; the clients have their own).</summary>
        public double ConnectCpuSeconds => (After.Cpu - Before.Cpu).TotalSeconds;

        /// <summary>Managed bytes the server allocated while the sessions connected, per session.</summary>
        public double ConnectAllocatedKbPerSession => (After.Allocated - Before.Allocated) / 1024.0 / Sessions;
    }

    /// <summary>The child process running <see cref="GatewayClients"/>, with its stdout read line by line.</summary>
    private sealed class ClientProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly Task _reading;

        private ClientProcess(Process process)
        {
            _process = process;
            _reading = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    await _lines.Writer.WriteAsync(line);
                }

                _lines.Writer.TryComplete();
            });
        }

        public static Task<ClientProcess> StartAsync(string url, int sessions, string? tokensPath)
        {
            // Same build, same runtime settings (server GC): dotnet WellWon.Bench.dll, or the apphost directly.
            var assembly = typeof(GatewayBench).Assembly.Location;
            var host = Environment.ProcessPath ?? "dotnet";
            var start = new ProcessStartInfo
            {
                FileName = host,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = false,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            {
                start.ArgumentList.Add(assembly);
            }

            foreach (var arg in new[] { "gateway-clients", "--url", url, "--sessions", sessions.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(arg);
            }

            if (tokensPath is not null)
            {
                start.ArgumentList.Add("--tokens");
                start.ArgumentList.Add(tokensPath);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {host}");
            return Task.FromResult(new ClientProcess(process));
        }

        public void Tell(string line)
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }

        /// <summary>The next line from the child, which must start with one of <paramref name="kinds"/>.</summary>
        public Task<string[]> ExpectAsync(params string[] kinds) => ExpectAsync(s_answerTimeout, kinds);

        /// <summary>The next line from the child within <paramref name="within"/>, which must start with one of <paramref name="kinds"/>.</summary>
        public async Task<string[]> ExpectAsync(TimeSpan within, params string[] kinds)
        {
            using var timeout = new CancellationTokenSource(within);
            string line;
            try
            {
                line = await _lines.Reader.ReadAsync(timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                throw new InvalidOperationException(
                    $"the client process {(_process.HasExited ? $"exited with {_process.ExitCode}" : "did not answer")} while {string.Join('/', kinds)} was expected", e);
            }

            var parts = line.Split(' ');
            return kinds.Contains(parts[0]) ? parts : throw new InvalidOperationException($"expected {string.Join('/', kinds)} from the client process, got: {line}");
        }

        public async Task QuitAsync()
        {
            Tell("QUIT");
            await ExpectAsync("BYE");
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.StandardInput.Close();
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    try
                    {
                        await _process.WaitForExitAsync(wait.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        _process.Kill();
                        await _process.WaitForExitAsync();
                    }
                }

                await _reading;
            }
            finally
            {
                _process.Dispose();
            }
        }
    }
}
