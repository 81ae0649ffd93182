using System.Buffers;
using System.Text;
using WellWon.Runtime.Cluster;

namespace WellWon.Runtime.Transport;

/// <summary>What kind of process is at one end of a connection.</summary>
public enum TransportRole : byte
{
    /// <summary>A silo of the cluster; its identity is a <see cref="SiloAddress"/> string.</summary>
    Silo = 1,

    /// <summary>A cluster client (the API gateway); its identity is a client ID.</summary>
    Client = 2,
}

/// <summary>Who this end of a connection is, as announced in the handshake.</summary>
/// <param name="Role">Silo or client.</param>
/// <param name="Id"><see cref="SiloAddress.ToString"/> for a silo, a client ID for a client.</param>
public sealed record PeerIdentity(TransportRole Role, string Id)
{
    /// <summary>The identity of a silo.</summary>
    public static PeerIdentity ForSilo(SiloAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new PeerIdentity(TransportRole.Silo, address.ToString());
    }

    /// <summary>The identity of a cluster client.</summary>
    public static PeerIdentity ForClient(string clientId)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        return new PeerIdentity(TransportRole.Client, clientId);
    }

    /// <summary>Parses <see cref="Id"/> as a silo address (only for <see cref="TransportRole.Silo"/>).</summary>
    public SiloAddress ToSiloAddress() => Role == TransportRole.Silo
        ? SiloAddress.Parse(Id)
        : throw new InvalidOperationException($"{Id} is a {Role}, not a silo.");

    /// <inheritdoc/>
    public override string ToString() => $"{Role} {Id}";
}

/// <summary>Payload of the <see cref="FrameKind.Handshake"/> frame a connector sends first.</summary>
/// <param name="Magic">Must be <see cref="HandshakeCodec.Magic"/>.</param>
/// <param name="Version">Highest protocol version the connector speaks.</param>
/// <param name="ClusterId">The connector's cluster; must equal the acceptor's.</param>
/// <param name="Sender">Who the connector is.</param>
public sealed record HandshakeRequest(string Magic, int Version, string ClusterId, PeerIdentity Sender);

/// <summary>Payload of the <see cref="FrameKind.HandshakeAck"/> frame the acceptor answers with.</summary>
/// <param name="Accepted">Whether the connection may be used.</param>
/// <param name="Version">The negotiated protocol version (the lower of both ends' versions).</param>
/// <param name="Sender">Who the acceptor is.</param>
/// <param name="RejectionReason">Why the connection was refused; empty when accepted.</param>
public sealed record HandshakeResponse(bool Accepted, int Version, PeerIdentity Sender, string RejectionReason);

/// <summary>
/// Encodes and decodes handshake payloads: <c>"WWN1"</c>, a varint version, then length-prefixed UTF-8
/// strings and role bytes. Decoders ignore trailing bytes so a later version can append fields.
/// </summary>
public static class HandshakeCodec
{
    /// <summary>The four ASCII bytes every handshake payload starts with.</summary>
    public const string Magic = "WWN1";

    /// <summary>The protocol version this build speaks.</summary>
    public const int ProtocolVersion = 1;

    /// <summary>The oldest protocol version this build still accepts (rolling upgrades span two versions).</summary>
    public const int MinimumProtocolVersion = 1;

    private const int MaxStringBytes = 4096;

    /// <summary>Serializes a handshake request.</summary>
    public static byte[] Encode(HandshakeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var writer = new ArrayBufferWriter<byte>(64);
        WriteMagic(writer, request.Magic);
        WriteVarInt(writer, (uint)request.Version);
        WriteString(writer, request.ClusterId);
        WriteByte(writer, (byte)request.Sender.Role);
        WriteString(writer, request.Sender.Id);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes a handshake response.</summary>
    public static byte[] Encode(HandshakeResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var writer = new ArrayBufferWriter<byte>(64);
        WriteMagic(writer, Magic);
        WriteVarInt(writer, (uint)response.Version);
        WriteByte(writer, response.Accepted ? (byte)1 : (byte)0);
        WriteByte(writer, (byte)response.Sender.Role);
        WriteString(writer, response.Sender.Id);
        WriteString(writer, response.RejectionReason);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Parses a handshake request.</summary>
    /// <exception cref="TransportProtocolException">The payload is not a handshake.</exception>
    public static HandshakeRequest DecodeRequest(ReadOnlySpan<byte> payload)
    {
        var magic = ReadMagic(ref payload);
        var version = (int)ReadVarInt(ref payload);
        var clusterId = ReadString(ref payload);
        var role = (TransportRole)ReadByte(ref payload);
        var id = ReadString(ref payload);
        return new HandshakeRequest(magic, version, clusterId, new PeerIdentity(role, id));
    }

    /// <summary>Parses a handshake response.</summary>
    /// <exception cref="TransportProtocolException">The payload is not a handshake response.</exception>
    public static HandshakeResponse DecodeResponse(ReadOnlySpan<byte> payload)
    {
        var magic = ReadMagic(ref payload);
        if (magic != Magic)
        {
            throw new TransportProtocolException($"Handshake response has magic '{magic}', expected '{Magic}'.");
        }

        var version = (int)ReadVarInt(ref payload);
        var accepted = ReadByte(ref payload) != 0;
        var role = (TransportRole)ReadByte(ref payload);
        var id = ReadString(ref payload);
        var reason = ReadString(ref payload);
        return new HandshakeResponse(accepted, version, new PeerIdentity(role, id), reason);
    }

    private static void WriteMagic(ArrayBufferWriter<byte> writer, string magic)
    {
        var bytes = Encoding.ASCII.GetBytes(magic);
        if (bytes.Length != 4)
        {
            throw new ArgumentException("The handshake magic is four ASCII characters.", nameof(magic));
        }

        writer.Write(bytes);
    }

    private static void WriteByte(ArrayBufferWriter<byte> writer, byte value) => writer.Write([value]);

    private static void WriteVarInt(ArrayBufferWriter<byte> writer, uint value)
    {
        while (value >= 0x80)
        {
            WriteByte(writer, (byte)(value | 0x80));
            value >>= 7;
        }

        WriteByte(writer, (byte)value);
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > MaxStringBytes)
        {
            throw new ArgumentException($"Handshake strings are limited to {MaxStringBytes} UTF-8 bytes.", nameof(value));
        }

        WriteVarInt(writer, (uint)bytes.Length);
        writer.Write(bytes);
    }

    private static string ReadMagic(ref ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4)
        {
            throw new TransportProtocolException("Handshake payload is too short for the magic.");
        }

        var magic = Encoding.Latin1.GetString(payload[..4]);
        payload = payload[4..];
        return magic;
    }

    private static byte ReadByte(ref ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw new TransportProtocolException("Handshake payload is truncated.");
        }

        var b = payload[0];
        payload = payload[1..];
        return b;
    }

    private static uint ReadVarInt(ref ReadOnlySpan<byte> payload)
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte(ref payload);
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new TransportProtocolException("Handshake varint is longer than five bytes.");
    }

    private static string ReadString(ref ReadOnlySpan<byte> payload)
    {
        var length = ReadVarInt(ref payload);
        if (length > MaxStringBytes || length > (uint)payload.Length)
        {
            throw new TransportProtocolException($"Handshake string length {length} is invalid.");
        }

        try
        {
            var value = new UTF8Encoding(false, true).GetString(payload[..(int)length]);
            payload = payload[(int)length..];
            return value;
        }
        catch (DecoderFallbackException e)
        {
            throw new TransportProtocolException("Handshake string is not valid UTF-8.", e);
        }
    }
}
