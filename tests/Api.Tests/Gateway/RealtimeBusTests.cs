using Microsoft.Extensions.Options;
using WellWon.Api.Realtime;
using WellWon.Testing;

namespace WellWon.Api.Tests.Gateway;

/// <summary>The in-process realtime bus: typing state with its 10 s expiry, announcements, presence fan-out.</summary>
public sealed class RealtimeBusTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly Listener _listener = new();
    private readonly InMemoryRealtimeBus _bus;

    public RealtimeBusTests()
    {
        _bus = new InMemoryRealtimeBus(_clock, Options.Create(new TypingOptions()));
        _bus.Subscribe(_listener);
    }

    [Fact]
    public async Task Typing_lasts_ten_seconds_and_is_announced_again_only_once_half_of_that_passed()
    {
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();

        Assert.True(await _bus.StartTypingAsync(channel, user, default));
        Assert.Equal(_clock.UtcNow.AddSeconds(10), Assert.Single(_listener.Typing).ExpiresAt);
        Assert.Equal([user], await _bus.GetTypingAsync(channel, default));

        _clock.UtcNow = _clock.UtcNow.AddSeconds(3);
        Assert.False(await _bus.StartTypingAsync(channel, user, default));
        Assert.Single(_listener.Typing);

        _clock.UtcNow = _clock.UtcNow.AddSeconds(3);
        Assert.True(await _bus.StartTypingAsync(channel, user, default));
        Assert.Equal(2, _listener.Typing.Count);

        _clock.UtcNow = _clock.UtcNow.AddSeconds(10);
        Assert.Empty(await _bus.GetTypingAsync(channel, default));
        Assert.Empty(await _bus.GetTypingAsync(Guid.NewGuid(), default));
    }

    [Fact]
    public async Task Stopping_forgets_the_state_so_the_next_keystroke_is_announced_at_once()
    {
        var channel = Guid.NewGuid();
        var user = Guid.NewGuid();
        Assert.True(await _bus.StartTypingAsync(channel, user, default));
        await _bus.StopTypingAsync(channel, user, default);
        Assert.Empty(await _bus.GetTypingAsync(channel, default));

        _clock.UtcNow = _clock.UtcNow.AddSeconds(1);
        Assert.True(await _bus.StartTypingAsync(channel, user, default));
        Assert.Equal(2, _listener.Typing.Count);
    }

    [Fact]
    public async Task Presence_reaches_every_listener_until_it_unsubscribes()
    {
        var second = new Listener();
        var subscription = _bus.Subscribe(second);
        var presence = new PresenceEvent(Guid.NewGuid(), PresenceStatus.Online, _clock.UtcNow, [Guid.NewGuid()]);
        await _bus.PublishPresenceAsync(presence, default);
        subscription.Dispose();
        await _bus.PublishPresenceAsync(presence with { Status = PresenceStatus.Offline }, default);

        Assert.Equal([PresenceStatus.Online, PresenceStatus.Offline], _listener.Presence.Select(p => p.Status));
        Assert.Equal([PresenceStatus.Online], second.Presence.Select(p => p.Status));
    }

    private sealed class Listener : IRealtimeListener
    {
        public List<TypingEvent> Typing { get; } = [];

        public List<PresenceEvent> Presence { get; } = [];

        public void OnTyping(TypingEvent typing) => Typing.Add(typing);

        public void OnPresence(PresenceEvent presence) => Presence.Add(presence);
    }
}
