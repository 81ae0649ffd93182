namespace WellWon.Grains.Domain;

/// <summary>Binary search over ascending message IDs (hot window and in-memory store share it).</summary>
public static class SortedKeys
{
    /// <summary>The index of the first key not less than <paramref name="value"/> (<c>keys.Count</c> if none).</summary>
    public static int LowerBound(IList<long> keys, long value)
    {
        ArgumentNullException.ThrowIfNull(keys);
        int lo = 0, hi = keys.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (keys[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
