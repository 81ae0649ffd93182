using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;

namespace WellWon.Bench;

/// <summary>
/// The client side of the gateway suite, run in a child process (<c>gateway-clients</c>) so that the server's and the
/// clients' sockets each have a whole open-file limit. Connects N WebSockets, identifies each (when given tokens),
/// and records when each one receives the MESSAGE_CREATE of a round. Talks to the parent over stdin/stdout, one line
/// per command; progress goes to stderr.
/// </summary>
/// <remarks>
/// Commands (stdin) and answers (stdout):
/// <list type="bullet">
/// <item><c>QUIET</c> -> <c>QUIET frames</c> once no frame arrived for 500 ms (frames: received so far).</item>
/// <item><c>ROUND r t0 measure</c> -> <c>DONE r last_ms</c> when all N sessions received round r (<c>FAIL r k</c> after 120 s with
/// k arrivals). With measure = 1 the N latencies (arrival - t0, Stopwatch timestamps: CLOCK_MONOTONIC on Linux, the
/// same clock in both processes) are kept.</item>
/// <item><c>STATS</c> -> <c>STATS count p50_ms p99_ms max_ms first_ms gcs</c> over every kept latency; first_ms is the
/// median over rounds of the first arrival, gcs the child's gen0/gen1/gen2 collections during the measured rounds.</item>
/// <item><c>RESET</c> -> <c>RESET</c> after forgetting the kept latencies (a new series of rounds follows).</item>
/// <item><c>QUIT</c> -> closes every socket (normal closure), prints <c>BYE</c> and exits.</item>
/// </list>
/// Before the first command the child prints <c>READY connect_seconds frames</c> when every session got its ready (or,
/// for the raw baseline server, the server's first frame).
/// </remarks>
public static class GatewayClients
{
    private const int ConnectConcurrency = 100;
    private const int BufferBytes = 4096;
    private static readonly byte[] s_messageCreate = "\"type\":\"MESSAGE_CREATE\""u8.ToArray();
    private static readonly byte[] s_roundMarker = "\"content\":\"round "u8.ToArray();
    private static readonly byte[] s_ready = "\"op\":\"ready\""u8.ToArray();
    private static readonly byte[] s_heartbeatInterval = "\"heartbeatIntervalMs\":"u8.ToArray();

    private static readonly ConcurrentDictionary<int, RoundState> s_rounds = new();
    private static int s_sessions;
    private static long s_frames;
    private static long s_lastFrameAt;
    private static long s_heartbeatMs;

    public static async Task<int> RunAsync(string[] args)
    {
        string? url = null;
        string? tokensPath = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--url":
                    url = args[i + 1];
                    break;
                case "--tokens":
                    tokensPath = args[i + 1];
                    break;
                case "--sessions":
                    s_sessions = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}");
            }
        }

        if (url is null || s_sessions <= 0)
        {
            await Console.Error.WriteLineAsync("usage: gateway-clients --url ws://host:port/path --sessions N [--tokens file]");
            return 2;
        }

        var tokens = tokensPath is null ? null : await File.ReadAllLinesAsync(tokensPath);
        if (tokens is not null && tokens.Length < s_sessions)
        {
            throw new InvalidOperationException($"{tokensPath} has {tokens.Length} tokens for {s_sessions} sessions");
        }

        var uri = new Uri(url);
        var clients = new Client[s_sessions];
        var started = Stopwatch.GetTimestamp();
        using (var gate = new SemaphoreSlim(ConnectConcurrency))
        {
            var connected = 0;
            var connects = new Task[s_sessions];
            for (var i = 0; i < s_sessions; i++)
            {
                await gate.WaitAsync();
                var index = i;
                connects[i] = Task.Run(async () =>
                {
                    try
                    {
                        clients[index] = await Client.ConnectAsync(index, uri, tokens?[index]);
                    }
                    finally
                    {
                        gate.Release();
                    }

                    var done = Interlocked.Increment(ref connected);
                    if (done % 1000 == 0 || done == s_sessions)
                    {
                        Report.Progress($"connected {done}/{s_sessions} ({Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s)");
                    }
                });
            }

            await Task.WhenAll(connects);
        }

        var connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Send(string.Create(CultureInfo.InvariantCulture, $"READY {connectSeconds:0.###} {Volatile.Read(ref s_frames)}"));
        using var stopHeartbeats = new CancellationTokenSource();
        var heartbeats = tokens is null ? Task.CompletedTask : HeartbeatAsync(clients, stopHeartbeats.Token);

        var samples = new List<long>(s_sessions * 20);
        var firsts = new List<long>();
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "QUIET":
                    while (Stopwatch.GetElapsedTime(Volatile.Read(ref s_lastFrameAt)) < TimeSpan.FromMilliseconds(500))
                    {
                        await Task.Delay(100);
                    }

                    Send($"QUIET {Volatile.Read(ref s_frames)}");
                    break;

                case "ROUND":
                {
                    var round = int.Parse(parts[1], CultureInfo.InvariantCulture);
                    var t0 = long.Parse(parts[2], CultureInfo.InvariantCulture);
                    var state = s_rounds.GetOrAdd(round, static _ => new RoundState(s_sessions));
                    var finished = await Task.WhenAny(state.Done.Task, Task.Delay(TimeSpan.FromSeconds(120)));
                    if (finished != state.Done.Task)
                    {
                        Send($"FAIL {round} {Volatile.Read(ref state.Count)}");
                        break;
                    }

                    if (parts[3] == "1")
                    {
                        if (firsts.Count == 0)
                        {
                            gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                        }

                        var first = long.MaxValue;
                        foreach (var arrival in state.Arrivals)
                        {
                            samples.Add(arrival - t0);
                            first = Math.Min(first, arrival - t0);
                        }

                        firsts.Add(first);
                    }

                    s_rounds.TryRemove(round, out _);
                    var last = state.Arrivals.Max() - t0;
                    Send(string.Create(CultureInfo.InvariantCulture, $"DONE {round} {last * 1000.0 / Stopwatch.Frequency:0.#}"));
                    break;
                }

                case "RESET":
                    samples.Clear();
                    firsts.Clear();
                    Send("RESET");
                    break;

                case "STATS":
                {
                    var all = samples.ToArray();
                    Array.Sort(all);
                    double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
                    double Percentile(double p) => all.Length == 0 ? 0 : Ms(all[(int)Math.Min(all.Length - 1, p * all.Length)]);
                    firsts.Sort();
                    var firstMedian = firsts.Count == 0 ? 0 : Ms(firsts[firsts.Count / 2]);
                    var gcs = $"{GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}";
                    Send(string.Create(CultureInfo.InvariantCulture,
                        $"STATS {all.Length} {Percentile(0.50):0.###} {Percentile(0.99):0.###} {(all.Length == 0 ? 0 : Ms(all[^1])):0.###} {firstMedian:0.###} {gcs}"));
                    break;
                }

                case "QUIT":
                    await stopHeartbeats.CancelAsync();
                    await heartbeats;
                    await CloseAllAsync(clients);
                    Send("BYE");
                    return 0;
            }
        }

        // The parent went away without QUIT.
        await CloseAllAsync(clients);
        return 1;
    }

    private static void Send(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }

    /// <summary>Heartbeats at half the interval the server announced (the bench host makes it long: normally none).</summary>
    private static async Task HeartbeatAsync(Client[] clients, CancellationToken stop)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(1000, Volatile.Read(ref s_heartbeatMs) / 2));
        try
        {
            while (true)
            {
                await Task.Delay(interval, stop);
                foreach (var client in clients)
                {
                    await client.HeartbeatAsync(stop);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task CloseAllAsync(Client[] clients)
    {
        using var gate = new SemaphoreSlim(ConnectConcurrency);
        var closes = clients.Where(c => c is not null).Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                await c.CloseAsync();
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(closes);
    }

    private sealed class RoundState(int sessions)
    {
        public readonly long[] Arrivals = new long[sessions];
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Count;
    }

    private sealed class Client
    {
        private static readonly byte[] s_heartbeat = "{\"op\":\"heartbeat\"}"u8.ToArray();
        private readonly ClientWebSocket _socket;
        private readonly int _index;
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _sending = new(1);
        private Task _receiving = Task.CompletedTask;

        private Client(int index, ClientWebSocket socket)
        {
            _index = index;
            _socket = socket;
        }

        public static async Task<Client> ConnectAsync(int index, Uri uri, string? token)
        {
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await socket.ConnectAsync(uri, timeout.Token);
            var client = new Client(index, socket);
            client._receiving = client.ReceiveLoopAsync();
            if (token is not null)
            {
                var identify = Encoding.UTF8.GetBytes($"{{\"op\":\"identify\",\"token\":\"{token}\"}}");
                await socket.SendAsync(identify, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            }

            await client._ready.Task.WaitAsync(timeout.Token);
            return client;
        }

        public async Task HeartbeatAsync(CancellationToken stop)
        {
            await _sending.WaitAsync(stop);
            try
            {
                if (_socket.State == WebSocketState.Open)
                {
                    await _socket.SendAsync(s_heartbeat, WebSocketMessageType.Text, endOfMessage: true, stop);
                }
            }
            catch (WebSocketException)
            {
            }
            finally
            {
                _sending.Release();
            }
        }

        public async Task CloseAsync()
        {
            await _sending.WaitAsync();
            try
            {
                if (_socket.State == WebSocketState.Open)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", CancellationToken.None)
                        .WaitAsync(TimeSpan.FromSeconds(5));
                }

                // The receive loop ends when the server's close arrives.
                await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is WebSocketException or TimeoutException or ObjectDisposedException)
            {
            }
            finally
            {
                _sending.Release();
                _socket.Abort();
                _socket.Dispose();
            }
        }

        /// <summary>Cheap: looks for the ready op and the MESSAGE_CREATE round marker in the raw bytes, parses nothing else.</summary>
        private async Task ReceiveLoopAsync()
        {
            var buffer = new byte[BufferBytes];
            try
            {
                while (true)
                {
                    var length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                        if (result.MessageType == WebSocketMessageType.Close)
                        {
                            _ready.TrySetException(new InvalidOperationException($"session {_index}: closed by the server ({_socket.CloseStatus} {_socket.CloseStatusDescription})"));
                            return;
                        }

                        length += result.Count;
                        if (length == buffer.Length && !result.EndOfMessage)
                        {
                            length = 0; // Larger than any frame this bench cares about: drop it.
                        }
                    }
                    while (!result.EndOfMessage);

                    var now = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref s_frames);
                    Volatile.Write(ref s_lastFrameAt, now);
                    var frame = buffer.AsSpan(0, length);
                    if (frame.IndexOf(s_messageCreate) >= 0)
                    {
                        var at = frame.IndexOf(s_roundMarker);
                        if (at >= 0 && TryParseRound(frame[(at + s_roundMarker.Length)..], out var round))
                        {
                            var state = s_rounds.GetOrAdd(round, static _ => new RoundState(s_sessions));
                            state.Arrivals[_index] = now;
                            if (Interlocked.Increment(ref state.Count) == s_sessions)
                            {
                                state.Done.TrySetResult();
                            }
                        }
                    }
                    else if (!_ready.Task.IsCompleted && frame.IndexOf(s_ready) >= 0)
                    {
                        var at = frame.IndexOf(s_heartbeatInterval);
                        if (at >= 0 && TryParseRound(frame[(at + s_heartbeatInterval.Length)..], out var ms))
                        {
                            Volatile.Write(ref s_heartbeatMs, ms);
                        }

                        _ready.TrySetResult();
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                _ready.TrySetException(e);
            }
        }

        private static bool TryParseRound(ReadOnlySpan<byte> digits, out int value)
        {
            value = 0;
            var i = 0;
            while (i < digits.Length && digits[i] is >= (byte)'0' and <= (byte)'9')
            {
                value = (value * 10) + (digits[i] - '0');
                i++;
            }

            return i > 0;
        }
    }
}
