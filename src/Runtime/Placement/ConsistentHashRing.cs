using System.Globalization;
using WellWon.Runtime.Cluster;

namespace WellWon.Runtime.Placement;

/// <summary>
/// Grain placement by consistent hashing: each silo puts <c>V</c> virtual nodes on a 32-bit ring and a grain
/// belongs to the first virtual node clockwise of <see cref="GrainId.UniformHash"/>. The owner is a pure
/// function of (grain ID, silo set), so every silo and client computes the same owner without a directory,
/// and a membership change moves only the grains of the silos that came or went. Immutable: rebuild it
/// on every view change (microseconds for a few dozen silos).
/// </summary>
public sealed class ConsistentHashRing
{
    /// <summary>Default virtual nodes per silo.</summary>
    public const int DefaultVirtualNodesPerSilo = 256;

    private readonly uint[] _hashes;
    private readonly SiloAddress[] _owners;

    /// <summary>Builds a ring over <paramref name="silos"/> (order and duplicates do not matter).</summary>
    public ConsistentHashRing(IEnumerable<SiloAddress> silos, int virtualNodesPerSilo = DefaultVirtualNodesPerSilo)
    {
        ArgumentNullException.ThrowIfNull(silos);
        ArgumentOutOfRangeException.ThrowIfLessThan(virtualNodesPerSilo, 1);
        Silos = silos.Distinct().Order().ToArray();
        VirtualNodesPerSilo = virtualNodesPerSilo;
        var nodes = new (uint Hash, SiloAddress Silo)[Silos.Count * virtualNodesPerSilo];
        var n = 0;
        foreach (var silo in Silos)
        {
            var address = silo.ToString();
            for (var i = 0; i < virtualNodesPerSilo; i++)
            {
                nodes[n++] = (StableHash.Of(string.Create(CultureInfo.InvariantCulture, $"{address}#{i}")), silo);
            }
        }

        // Ties on the hash break by address so that input order can never change an owner.
        Array.Sort(nodes, static (a, b) => a.Hash != b.Hash ? a.Hash.CompareTo(b.Hash) : a.Silo.CompareTo(b.Silo));
        _hashes = new uint[nodes.Length];
        _owners = new SiloAddress[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            (_hashes[i], _owners[i]) = nodes[i];
        }
    }

    /// <summary>The distinct silos on the ring, sorted.</summary>
    public IReadOnlyList<SiloAddress> Silos { get; }

    /// <summary>Virtual nodes per silo.</summary>
    public int VirtualNodesPerSilo { get; }

    /// <summary>True when no silo is on the ring (nothing can be placed).</summary>
    public bool IsEmpty => _hashes.Length == 0;

    /// <summary>The silo that owns <paramref name="grainId"/>.</summary>
    /// <exception cref="InvalidOperationException">The ring is empty.</exception>
    public SiloAddress Owner(GrainId grainId) => OwnerOf(grainId.UniformHash);

    /// <summary>The silo owning the first virtual node at or clockwise of <paramref name="hash"/>.</summary>
    public SiloAddress OwnerOf(uint hash)
    {
        if (_hashes.Length == 0)
        {
            throw new InvalidOperationException("No active silo to place on: the membership view is empty.");
        }

        var i = Array.BinarySearch(_hashes, hash);
        if (i < 0)
        {
            i = ~i;
        }
        else
        {
            // Equal hashes sit side by side; the first of them wins, as if ties were "just clockwise".
            while (i > 0 && _hashes[i - 1] == hash)
            {
                i--;
            }
        }

        return _owners[i == _hashes.Length ? 0 : i];
    }
}
