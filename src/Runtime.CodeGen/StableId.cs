using System.Text;

namespace WellWon.Runtime.CodeGen;

/// <summary>Interface and method IDs: FNV-1a 32 over UTF-8, computed at build time so every silo agrees without reflection.</summary>
internal static class StableId
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static uint Fnv1a32(string text)
    {
        var hash = OffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash = unchecked(hash * Prime);
        }

        return hash;
    }
}
