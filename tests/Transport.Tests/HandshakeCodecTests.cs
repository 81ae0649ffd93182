namespace WellWon.Runtime.Transport.Tests;

public sealed class HandshakeCodecTests
{
    [Fact]
    public void A_handshake_request_round_trips()
    {
        var request = new HandshakeRequest(HandshakeCodec.Magic, HandshakeCodec.ProtocolVersion, "prod-é", PeerIdentity.ForClient("gateway-7"));

        var decoded = HandshakeCodec.DecodeRequest(HandshakeCodec.Encode(request));

        Assert.Equal(request, decoded);
    }

    [Fact]
    public void A_handshake_request_starts_with_the_magic_WWN1()
    {
        var bytes = HandshakeCodec.Encode(new HandshakeRequest(HandshakeCodec.Magic, 1, "c", PeerIdentity.ForClient("x")));

        Assert.Equal("WWN1"u8.ToArray(), bytes[..4]);
    }

    [Fact]
    public void A_handshake_response_round_trips_with_its_rejection_reason()
    {
        var response = new HandshakeResponse(false, 1, new PeerIdentity(TransportRole.Silo, "10.0.0.1:11111@5"), "wrong cluster");

        Assert.Equal(response, HandshakeCodec.DecodeResponse(HandshakeCodec.Encode(response)));
    }

    [Fact]
    public void Trailing_bytes_from_a_newer_version_are_ignored()
    {
        var request = new HandshakeRequest(HandshakeCodec.Magic, 2, "c", PeerIdentity.ForClient("x"));
        byte[] extended = [.. HandshakeCodec.Encode(request), 0xFF, 0x01];

        Assert.Equal(request, HandshakeCodec.DecodeRequest(extended));
    }

    [Fact]
    public void A_truncated_handshake_is_a_protocol_error()
    {
        var bytes = HandshakeCodec.Encode(new HandshakeRequest(HandshakeCodec.Magic, 1, "cluster", PeerIdentity.ForClient("x")));

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<TransportProtocolException>(() => HandshakeCodec.DecodeRequest(bytes.AsSpan(0, length)));
        }
    }

    [Fact]
    public void A_silo_identity_carries_the_silo_address()
    {
        var address = new Cluster.SiloAddress("127.0.0.1", 11111, 42);

        var identity = PeerIdentity.ForSilo(address);

        Assert.Equal(TransportRole.Silo, identity.Role);
        Assert.Equal(address, identity.ToSiloAddress());
    }
}
