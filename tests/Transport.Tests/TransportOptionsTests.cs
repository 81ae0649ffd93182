namespace WellWon.Runtime.Transport.Tests;

public sealed class TransportOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new TransportOptionsValidator().Validate(null, new TransportOptions()).Succeeded);
    }

    [Fact]
    public void Each_bad_setting_is_named_in_the_validation_failure()
    {
        var options = new TransportOptions
        {
            ClusterId = " ",
            MaxFrameSize = 3,
            SendQueueCapacity = 0,
            HandshakeTimeout = TimeSpan.Zero,
            ConnectionsPerEndpoint = 0,
            ReconnectBaseDelay = TimeSpan.FromSeconds(5),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        };

        var result = new TransportOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var name in new[] { "ClusterId", "MaxFrameSize", "SendQueueCapacity", "HandshakeTimeout", "ConnectionsPerEndpoint", "ReconnectMaxDelay" })
        {
            Assert.Contains($"WellWon:Transport:{name}", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Components_refuse_invalid_options()
    {
        var options = new TransportOptions { SendQueueCapacity = -1 };

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => new ConnectionPool(options, TestSupport.ClientIdentity, new ClientHandler()));
    }
}

public sealed class CorrelationTableTests
{
    [Fact]
    public void A_response_completes_the_request_with_the_same_correlation_id()
    {
        var table = new CorrelationTable<string>();
        var a = table.NextId();
        var b = table.NextId();
        var first = table.Register(a, CancellationToken.None);
        var second = table.Register(b, CancellationToken.None);

        Assert.True(table.TryComplete(b, "b"));
        Assert.True(table.TryComplete(a, "a"));

        Assert.Equal("a", first.Result);
        Assert.Equal("b", second.Result);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void A_late_or_unknown_response_is_ignored()
    {
        Assert.False(new CorrelationTable<string>().TryComplete(99, "x"));
    }

    [Fact]
    public async Task A_cancelled_request_is_removed_and_cancelled()
    {
        var table = new CorrelationTable<string>();
        using var cts = new CancellationTokenSource();
        var pending = table.Register(table.NextId(), cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public async Task Failing_all_fails_every_pending_request()
    {
        var table = new CorrelationTable<string>();
        var a = table.Register(table.NextId(), CancellationToken.None);
        var b = table.Register(table.NextId(), CancellationToken.None);

        table.FailAll(new ConnectionClosedException("gone"));

        await Assert.ThrowsAsync<ConnectionClosedException>(() => a);
        await Assert.ThrowsAsync<ConnectionClosedException>(() => b);
    }
}
