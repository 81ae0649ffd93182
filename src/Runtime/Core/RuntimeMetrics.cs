using System.Diagnostics.Metrics;

namespace WellWon.Runtime.Core;

/// <summary>Runtime instruments (System.Diagnostics.Metrics); exported by the host (e.g. /metrics).</summary>
internal static class RuntimeMetrics
{
    public const string MeterName = "WellWon.Runtime";

    public static readonly Meter Meter = new(MeterName, "1.0");

    public static readonly Counter<long> Calls = Meter.CreateCounter<long>("wellwon.grain.calls", "{call}", "Grain calls sent.");

    public static readonly Histogram<double> CallDuration = Meter.CreateHistogram<double>("wellwon.grain.call.duration", "ms", "Grain call latency seen by the caller.");

    public static readonly Counter<long> Errors = Meter.CreateCounter<long>("wellwon.grain.call.errors", "{call}", "Grain calls that failed (exception, timeout, rejection).");

    public static readonly Counter<long> Timeouts = Meter.CreateCounter<long>("wellwon.grain.call.timeouts", "{call}", "Grain calls that passed their deadline.");

    public static readonly UpDownCounter<long> Activations = Meter.CreateUpDownCounter<long>("wellwon.grain.activations", "{activation}", "Live activations.");

    public static readonly Counter<long> ActivationFailures = Meter.CreateCounter<long>("wellwon.grain.activation.failures", "{activation}", "Activations whose OnActivateAsync or state load failed.");
}
