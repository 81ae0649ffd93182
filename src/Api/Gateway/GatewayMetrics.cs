using System.Diagnostics.Metrics;

namespace WellWon.Api.Gateway;

/// <summary>The gateway's instruments (meter <c>WellWon.Api</c>, exported at /metrics).</summary>
internal static class GatewayMetrics
{
    private static long s_sessions;
    private static long s_connected;

    public static readonly Counter<long> Dispatched = ApiMetrics.Meter.CreateCounter<long>("wellwon.gateway.dispatches", "{dispatch}", "Dispatches queued to sessions.");

    public static readonly Counter<long> Sent = ApiMetrics.Meter.CreateCounter<long>("wellwon.gateway.dispatches.sent", "{dispatch}", "Dispatches written to connections.");

    public static readonly Counter<long> Shed = ApiMetrics.Meter.CreateCounter<long>("wellwon.gateway.shed", "{dispatch}", "TYPING_START and PRESENCE_UPDATE dropped for sessions under pressure or without a connection.");

    public static readonly Counter<long> Closed = ApiMetrics.Meter.CreateCounter<long>("wellwon.gateway.closed", "{connection}", "Connections the gateway closed, by reason.");

    public static readonly ObservableGauge<long> Sessions = ApiMetrics.Meter.CreateObservableGauge("wellwon.gateway.sessions", () => Interlocked.Read(ref s_sessions), "{session}", "Gateway sessions, connected or waiting to be resumed.");

    public static readonly ObservableGauge<long> Connected = ApiMetrics.Meter.CreateObservableGauge("wellwon.gateway.connections", () => Interlocked.Read(ref s_connected), "{connection}", "Open gateway connections.");

    public static void SessionsChanged(int delta) => Interlocked.Add(ref s_sessions, delta);

    public static void ConnectionsChanged(int delta) => Interlocked.Add(ref s_connected, delta);
}
