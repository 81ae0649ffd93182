using WellWon.Testing;

namespace WellWon.Storage.Postgres.Tests;

public sealed class EventuallyTests
{
    [Fact]
    public async Task Returns_as_soon_as_the_condition_holds()
    {
        var calls = 0;
        await Eventually.WaitUntil(() => ++calls == 3, TimeSpan.FromSeconds(10), "the third call");
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Accepts_an_asynchronous_condition()
    {
        var source = new TaskCompletionSource();
        _ = Task.Run(source.SetResult);
        await Eventually.WaitUntil(() => Task.FromResult(source.Task.IsCompleted), TimeSpan.FromSeconds(10), "the background task");
    }

    [Fact]
    public async Task Fails_naming_what_it_was_waiting_for()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => Eventually.WaitUntil(() => false, TimeSpan.FromMilliseconds(50), "the silo to become Active"));

        Assert.Contains("waiting for the silo to become Active", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zero_timeout_still_checks_the_condition_once()
    {
        await Eventually.WaitUntil(() => true, TimeSpan.Zero, "nothing");
        await Assert.ThrowsAsync<TimeoutException>(() => Eventually.WaitUntil(() => false, TimeSpan.Zero, "never"));
    }
}
