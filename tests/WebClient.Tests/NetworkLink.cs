using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace WellWon.WebClient.Tests;

/// <summary>
/// One browser's network path to the API: a loopback TCP relay the page is loaded through, which the test can cut
/// (every open connection reset, new ones refused, like a lost Wi-Fi) and restore.
/// </summary>
/// <remarks>
/// Chromium's offline emulation (<c>BrowserContext.SetOfflineAsync</c>) fails new requests but leaves an open
/// WebSocket up and delivers its frames once back online, so it cannot simulate a dropped gateway connection.
/// </remarks>
public sealed class NetworkLink : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<long, (Socket Browser, Socket Server)> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _nextId;
    private int _disposed;
    private volatile bool _down;

    public NetworkLink(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>The URL the browser uses: its origin for the page, the REST API and the gateway.</summary>
    public Uri Address { get; }

    /// <summary>Resets every open connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _down = true;
        foreach (var (id, pair) in _connections)
        {
            _connections.TryRemove(id, out _);
            Reset(pair.Browser);
            Reset(pair.Server);
        }
    }

    /// <summary>Lets connections through again.</summary>
    public void Restore() => _down = false;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket browser;
            try
            {
                browser = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_down)
            {
                Reset(browser);
                continue;
            }

            _ = RelayAsync(browser);
        }
    }

    private async Task RelayAsync(Socket browser)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        browser.NoDelay = true;
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            Reset(browser);
            server.Dispose();
            return;
        }

        var id = Interlocked.Increment(ref _nextId);
        _connections[id] = (browser, server);
        if (_down)
        {
            // Cut while this one was connecting.
            _connections.TryRemove(id, out _);
            Reset(browser);
            Reset(server);
            return;
        }

        await Task.WhenAll(CopyAsync(browser, server), CopyAsync(server, browser));
        _connections.TryRemove(id, out _);
        browser.Dispose();
        server.Dispose();
    }

    private static async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset by Cut, or by either end: the other direction ends too.
            Reset(from);
            Reset(to);
        }
    }

    // Closing with a zero linger time sends RST: the browser sees the connection fail at once, as when a network
    // path disappears, instead of an orderly close.
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
