using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace WellWon.Runtime;

/// <summary>
/// The identity of a grain (or observer): its grain type and a key in canonical text form. Equal IDs are
/// the same grain everywhere in the cluster; <see cref="UniformHash"/> is stable across processes and
/// releases and drives placement.
/// </summary>
public readonly struct GrainId : IEquatable<GrainId>
{
    private readonly string? _type;
    private readonly string? _key;

    /// <summary>Creates an ID from a grain type and a canonical key.</summary>
    public GrainId(string type, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(key);
        _type = type;
        _key = key;
        UniformHash = StableHash.Combine(StableHash.Of(type), StableHash.Of(key));
    }

    /// <summary>The grain type name (the grain interface's alias or full name).</summary>
    public string Type => _type ?? string.Empty;

    /// <summary>The key in canonical form: Guid as 32 lowercase hex digits, integers in invariant decimal, strings as given.</summary>
    public string Key => _key ?? string.Empty;

    /// <summary>A hash of type and key that is identical in every process (unlike <see cref="string.GetHashCode()"/>).</summary>
    public uint UniformHash { get; }

    /// <summary>True for <c>default(GrainId)</c>.</summary>
    public bool IsDefault => _type is null;

    /// <summary>An ID with a Guid key.</summary>
    public static GrainId Create(string type, Guid key) => new(type, key.ToString("N"));

    /// <summary>An ID with an integer key.</summary>
    public static GrainId Create(string type, long key) => new(type, key.ToString(CultureInfo.InvariantCulture));

    /// <summary>An ID with a string key.</summary>
    public static GrainId Create(string type, string key) => new(type, key);

    /// <summary>The key as a Guid; throws if the key is not one.</summary>
    public Guid GetGuidKey() => Guid.TryParseExact(Key, "N", out var g)
        ? g
        : throw new InvalidOperationException($"Grain {this} does not have a Guid key.");

    /// <summary>The key as an integer; throws if the key is not one.</summary>
    public long GetIntegerKey() => long.TryParse(Key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
        ? l
        : throw new InvalidOperationException($"Grain {this} does not have an integer key.");

    /// <inheritdoc/>
    public bool Equals(GrainId other) =>
        UniformHash == other.UniformHash
        && string.Equals(_type, other._type, StringComparison.Ordinal)
        && string.Equals(_key, other._key, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GrainId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)UniformHash;

    /// <inheritdoc/>
    public override string ToString() => IsDefault ? "(none)" : $"{_type}/{_key}";

    /// <summary>Equality.</summary>
    public static bool operator ==(GrainId left, GrainId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(GrainId left, GrainId right) => !left.Equals(right);
}

/// <summary>Process-independent hashing (32-bit Murmur3 over UTF-8) for placement and routing.</summary>
public static class StableHash
{
    /// <summary>Murmur3 (x86, 32-bit, seed 0) of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static uint Of(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= 512)
        {
            Span<byte> buffer = stackalloc byte[max];
            var n = Encoding.UTF8.GetBytes(text, buffer);
            return Murmur3(buffer[..n], 0);
        }

        return Murmur3(Encoding.UTF8.GetBytes(text), 0);
    }

    /// <summary>Mixes two hashes into one.</summary>
    public static uint Combine(uint a, uint b) => Mix(a ^ (b + 0x9e3779b9u + (a << 6) + (a >> 2)));

    /// <summary>Murmur3 (x86, 32-bit) over arbitrary bytes.</summary>
    public static uint Murmur3(ReadOnlySpan<byte> data, uint seed)
    {
        const uint c1 = 0xcc9e2d51, c2 = 0x1b873593;
        var h = seed;
        var blocks = data.Length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = Unsafe.ReadUnaligned<uint>(ref Unsafe.AsRef(in data[i * 4]));
            if (!BitConverter.IsLittleEndian)
            {
                k = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(k);
            }

            k *= c1;
            k = (k << 15) | (k >> 17);
            k *= c2;
            h ^= k;
            h = (h << 13) | (h >> 19);
            h = (h * 5) + 0xe6546b64;
        }

        uint tail = 0;
        var rest = data[(blocks * 4)..];
        switch (rest.Length)
        {
            case 3:
                tail ^= (uint)rest[2] << 16;
                goto case 2;
            case 2:
                tail ^= (uint)rest[1] << 8;
                goto case 1;
            case 1:
                tail ^= rest[0];
                tail *= c1;
                tail = (tail << 15) | (tail >> 17);
                tail *= c2;
                h ^= tail;
                break;
        }

        h ^= (uint)data.Length;
        return Mix(h);
    }

    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
