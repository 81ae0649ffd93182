using System.Diagnostics;

namespace WellWon.Testing;

/// <summary>Waits for a condition by polling it until a deadline, instead of sleeping for a fixed time.</summary>
public static class Eventually
{
    private static readonly TimeSpan _firstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan _maxPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until it returns true; throws naming <paramref name="what"/> when <paramref name="timeout"/> passes first.</summary>
    /// <exception cref="TimeoutException">The condition was still false at the deadline.</exception>
    public static Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return WaitUntil(() => Task.FromResult(condition()), timeout, what, cancellationToken);
    }

    /// <summary>Polls <paramref name="condition"/> until it returns true; throws naming <paramref name="what"/> when <paramref name="timeout"/> passes first.</summary>
    /// <exception cref="TimeoutException">The condition was still false at the deadline.</exception>
    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentException.ThrowIfNullOrWhiteSpace(what);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);

        var clock = Stopwatch.StartNew();
        var delay = _firstPoll;
        var attempts = 0;
        while (true)
        {
            attempts++;
            if (await condition().ConfigureAwait(false))
            {
                return;
            }

            // Checked after the poll so a zero timeout still evaluates the condition once.
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"Timed out after {clock.Elapsed.TotalSeconds:0.###} s ({attempts} checks) waiting for {what}.");
            }

            await Task.Delay(delay < left ? delay : left, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _maxPoll.Ticks));
        }
    }
}
