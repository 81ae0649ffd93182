using System.Net;
using System.Net.Sockets;
using System.Text;
using static WellWon.Runtime.Transport.Tests.TestSupport;

namespace WellWon.Runtime.Transport.Tests;

public sealed class HandshakeTests
{
    [Fact]
    public async Task A_client_of_the_same_cluster_is_accepted_and_both_ends_know_each_other()
    {
        var accepted = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = new ConnectionListener(AnyLoopbackPort, Options(), ServerIdentity, new EchoHandler(), c => accepted.TrySetResult(c));
        listener.Start();

        await using var client = await Connection.ConnectAsync(listener.LocalEndPoint, Options(), ClientIdentity, new ClientHandler(), CancellationToken.None);
        var server = await accepted.Task.WaitAsync(Bound);

        Assert.Equal(ServerIdentity, client.RemoteIdentity);
        Assert.Equal(ClientIdentity, server.RemoteIdentity);
        Assert.Equal(HandshakeCodec.ProtocolVersion, client.ProtocolVersion);
        Assert.NotEqual(0, listener.Port);
    }

    [Fact]
    public async Task A_client_of_another_cluster_is_rejected_with_the_reason()
    {
        await using var listener = StartListener(new EchoHandler(), Options("blue"));

        var error = await Assert.ThrowsAsync<ConnectionRejectedException>(
            () => Connection.ConnectAsync(listener.LocalEndPoint, Options("green"), ClientIdentity, new ClientHandler(), CancellationToken.None));

        Assert.Contains("cluster ID 'green'", error.Reason, StringComparison.Ordinal);
        Assert.Empty(listener.Connections);
    }

    [Theory]
    [InlineData("XXXX", 1, "magic")]
    [InlineData("WWN1", 0, "protocol version 0")]
    public async Task A_handshake_with_bad_magic_or_version_gets_a_rejecting_ack_and_is_closed(string magic, int version, string reason)
    {
        await using var listener = StartListener(new EchoHandler());
        using var raw = await ConnectRawAsync(listener.LocalEndPoint);

        await raw.SendAsync(HandshakeBytes(new HandshakeRequest(magic, version, "test", ClientIdentity)), SocketFlags.None);
        var ack = await ReceiveFrameAsync(raw);

        Assert.Equal(FrameKind.HandshakeAck, ack.Kind);
        var response = HandshakeCodec.DecodeResponse(ack.Payload.Span);
        Assert.False(response.Accepted);
        Assert.Contains(reason, response.RejectionReason, StringComparison.Ordinal);
        await AssertClosedByPeerAsync(raw);
    }

    [Fact]
    public async Task Garbage_instead_of_a_handshake_closes_only_that_connection()
    {
        var handler = new EchoHandler();
        await using var listener = StartListener(handler);
        var clientHandler = new ClientHandler();
        await using var healthy = await Connection.ConnectAsync(listener.LocalEndPoint, Options(), ClientIdentity, clientHandler, CancellationToken.None);
        using var garbage = await ConnectRawAsync(listener.LocalEndPoint);

        await garbage.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: wellwon\r\n\r\n"), SocketFlags.None);
        await AssertClosedByPeerAsync(garbage);

        var echoed = await RoundTripAsync(healthy, clientHandler, [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, echoed.Payload.ToArray());
        var laterHandler = new ClientHandler();
        await using var later = await Connection.ConnectAsync(listener.LocalEndPoint, Options(), ClientIdentity, laterHandler, CancellationToken.None);
        Assert.Equal(new byte[] { 4 }, (await RoundTripAsync(later, laterHandler, [4])).Payload.ToArray());
    }

    [Fact]
    public async Task A_well_formed_frame_that_is_not_a_handshake_closes_the_connection()
    {
        await using var listener = StartListener(new EchoHandler());
        using var raw = await ConnectRawAsync(listener.LocalEndPoint);

        await raw.SendAsync(FrameWriter.ToArray(new Frame(FrameKind.Request, 1, new byte[] { 1 })), SocketFlags.None);

        await AssertClosedByPeerAsync(raw);
        Assert.Empty(listener.Connections);
    }

    [Fact]
    public async Task A_peer_that_sends_nothing_is_closed_after_the_handshake_timeout()
    {
        var options = Options();
        options.HandshakeTimeout = TimeSpan.FromMilliseconds(200);
        await using var listener = StartListener(new EchoHandler(), options);
        using var silent = await ConnectRawAsync(listener.LocalEndPoint);

        await AssertClosedByPeerAsync(silent);

        Assert.Empty(listener.Connections);
    }

    [Fact]
    public async Task A_connector_whose_acceptor_never_answers_fails_with_a_timeout()
    {
        using var mute = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        mute.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        mute.Listen();
        var options = Options();
        options.HandshakeTimeout = TimeSpan.FromMilliseconds(200);

        await Assert.ThrowsAsync<TimeoutException>(
            () => Connection.ConnectAsync((IPEndPoint)mute.LocalEndPoint!, options, ClientIdentity, new ClientHandler(), CancellationToken.None)
                .WaitAsync(Bound));
    }
}
