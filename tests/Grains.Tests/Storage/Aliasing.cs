namespace WellWon.Grains.Tests.Storage;

/// <summary>Helpers for proving a store hands out copies: mutate whatever it returned, if it can be mutated at all.</summary>
internal static class Aliasing
{
    public static void TryOverwrite<T>(IReadOnlyList<T> list, int index, T value)
    {
        if (list is IList<T> mutable && index < mutable.Count)
        {
            try
            {
                mutable[index] = value;
            }
            catch (NotSupportedException)
            {
                // Read-only collections are as good as copies.
            }
        }
    }
}
