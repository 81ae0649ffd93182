using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WellWon.Api.Configuration;
using WellWon.Testing;

namespace WellWon.Api.Tests;

public sealed class TokenServiceTests
{
    private static (TokenService Tokens, ManualTimeProvider Clock) Create(string? key = null)
    {
        var options = Options.Create(new AuthOptions { SigningKey = key ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var keys = new SigningKeyProvider(options, new TestEnvironment("Production"), NullLogger<SigningKeyProvider>.Instance);
        return (new TokenService(keys, clock, options), clock);
    }

    [Fact]
    public void A_token_round_trips_its_user_until_it_expires()
    {
        var (tokens, clock) = Create();
        var user = Guid.NewGuid();
        var token = tokens.Issue(user);
        Assert.Equal(TokenFailure.None, tokens.Validate(token, out var subject));
        Assert.Equal(user, subject);

        clock.Advance(AuthOptions.DefaultTokenLifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(TokenFailure.None, tokens.Validate(token, out _));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenFailure.Expired, tokens.Validate(token, out subject));
        Assert.Equal(Guid.Empty, subject);
    }

    [Fact]
    public void Tampering_with_any_part_breaks_the_signature()
    {
        var (tokens, _) = Create();
        var token = tokens.Issue(Guid.NewGuid());
        for (var i = TokenService.Prefix.Length; i < token.Length; i++)
        {
            if (token[i] == '.')
            {
                continue;
            }

            var chars = token.ToCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            Assert.NotEqual(TokenFailure.None, tokens.Validate(new string(chars), out _));
        }
    }

    [Fact]
    public void A_token_from_another_key_or_format_is_refused()
    {
        var (a, _) = Create();
        var (b, _) = Create();
        Assert.Equal(TokenFailure.BadSignature, b.Validate(a.Issue(Guid.NewGuid()), out _));
        Assert.Equal(TokenFailure.Malformed, b.Validate("ww2.x.y", out _));
        Assert.Equal(TokenFailure.Malformed, b.Validate(null, out _));
        Assert.Equal(TokenFailure.Malformed, b.Validate("ww1.!!!.???", out _));
    }

    [Fact]
    public void Outside_development_a_missing_key_is_an_error_naming_the_setting()
    {
        var keys = new SigningKeyProvider(Options.Create(new AuthOptions()), new TestEnvironment("Production"), NullLogger<SigningKeyProvider>.Instance);
        var error = Assert.Throws<InvalidOperationException>(() => keys.Key);
        Assert.Contains("WellWon:Auth:SigningKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_development_a_key_is_generated_once_into_an_owner_only_file()
    {
        var dir = Path.Combine(Path.GetTempPath(), "wellwon-key-" + Guid.NewGuid().ToString("N"));
        try
        {
            var path = Path.Combine(dir, "dev-signing-key");
            var options = Options.Create(new AuthOptions { DevelopmentKeyPath = path });
            var first = new SigningKeyProvider(options, new TestEnvironment("Development"), NullLogger<SigningKeyProvider>.Instance).Key;
            var second = new SigningKeyProvider(options, new TestEnvironment("Development"), NullLogger<SigningKeyProvider>.Instance).Key;
            Assert.Equal(first, second);
            Assert.True(first.Length >= AuthOptions.MinSigningKeyBytes);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_validator_names_a_bad_key_setting()
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { SigningKey = Convert.ToBase64String(new byte[16]) });
        Assert.True(result.Failed);
        Assert.Contains("WellWon:Auth:SigningKey", result.FailureMessage, StringComparison.Ordinal);
    }
}

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Writes_counters_gauges_and_histograms_with_escaped_labels()
    {
        var meterName = "WellWon.Test." + Guid.NewGuid().ToString("N");
        using var exporter = new PrometheusExporter([meterName]);
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("test.requests", "{request}", "Requests\nserved \\ counted.");
        var gauge = meter.CreateUpDownCounter<int>("test.sessions");
        var histogram = meter.CreateHistogram<double>("test.latency", "ms");
        counter.Add(2, new KeyValuePair<string, object?>("path", "a\"b\\c\nd"));
        counter.Add(3, new KeyValuePair<string, object?>("path", "a\"b\\c\nd"));
        gauge.Add(5);
        gauge.Add(-2);
        histogram.Record(3);
        histogram.Record(30);
        histogram.Record(20000);

        var text = exporter.Write();

        Assert.Contains("# HELP test_requests_total Requests\\nserved \\\\ counted.\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE test_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("test_requests_total{path=\"a\\\"b\\\\c\\nd\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE test_sessions gauge\ntest_sessions 3\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE test_latency_milliseconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_bucket{le=\"5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_bucket{le=\"50\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_bucket{le=\"10000\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_bucket{le=\"+Inf\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_sum 20033\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_milliseconds_count 3\n", text, StringComparison.Ordinal);
    }
}

public sealed class EdgeValidationTests
{
    [Theory]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301", true)]
    [InlineData("3F2504E0-4F89-11D3-9A0C-0305E82C3301", true)]
    [InlineData("{3f2504e0-4f89-11d3-9a0c-0305e82c3301}", false)]
    [InlineData("3f2504e04f8911d39a0c0305e82c3301", false)]
    [InlineData("00000000-0000-0000-0000-000000000000", false)]
    [InlineData("", false)]
    public void Uuids_must_be_canonical(string text, bool valid) => Assert.Equal(valid, RouteIds.TryParseUuid(text, out _));

    [Theory]
    [InlineData("👍", true)]
    [InlineData("👨‍👩‍👧", true)]
    [InlineData("❤️", true)]
    [InlineData("party_parrot", true)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    [InlineData("<script>", false)]
    [InlineData("", false)]
    public void Emoji_segments_are_sane(string emoji, bool valid) => Assert.Equal(valid, RouteIds.IsValidEmoji(emoji));

    [Fact]
    public void Message_ids_are_written_and_read_as_strings()
    {
        var dto = new ReadStateDto(1234567890123456789, 2);
        var json = JsonSerializer.Serialize(dto, ApiJsonContext.Default.ReadStateDto);
        Assert.Equal("{\"lastReadMessageId\":\"1234567890123456789\",\"unreadCount\":2}", json);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("{\"lastReadMessageId\":5,\"unreadCount\":0}", ApiJsonContext.Default.ReadStateDto));
        Assert.Equal(5, JsonSerializer.Deserialize("{\"lastReadMessageId\":\"5\",\"unreadCount\":0}", ApiJsonContext.Default.ReadStateDto)!.LastReadMessageId);
    }
}

internal sealed class TestEnvironment(string name) : IHostEnvironment
{
    public string EnvironmentName { get; set; } = name;

    public string ApplicationName { get; set; } = "test";

    public string ContentRootPath { get; set; } = "/";

    public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
}
