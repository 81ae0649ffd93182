using System.Globalization;
using System.Net;

namespace WellWon.Runtime.Cluster;

/// <summary>
/// A silo process: its endpoint plus a generation (its start time in ms), so a silo restarted on the same
/// endpoint is a different member and messages for the dead one are not delivered to its successor.
/// </summary>
public sealed record SiloAddress(string Host, int Port, long Generation) : IComparable<SiloAddress>
{
    /// <summary>The endpoint to connect to.</summary>
    public IPEndPoint EndPoint => new(IPAddress.Parse(Host), Port);

    /// <summary>A stable hash of the address (placement and probe rings).</summary>
    public uint UniformHash => StableHash.Of(ToString());

    /// <summary>Renders as <c>host:port@generation</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}@{Generation}");

    /// <summary>Parses <c>host:port@generation</c>.</summary>
    public static SiloAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.LastIndexOf('@');
        var colon = at < 0 ? -1 : text.LastIndexOf(':', at);
        if (at < 0 || colon <= 0
            || !int.TryParse(text.AsSpan(colon + 1, at - colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || !long.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            || port is <= 0 or > 65535)
        {
            throw new FormatException($"'{text}' is not a silo address (host:port@generation).");
        }

        return new SiloAddress(text[..colon], port, generation);
    }

    /// <inheritdoc/>
    public int CompareTo(SiloAddress? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = string.CompareOrdinal(Host, other.Host);
        if (c != 0)
        {
            return c;
        }

        c = Port.CompareTo(other.Port);
        return c != 0 ? c : Generation.CompareTo(other.Generation);
    }
}
