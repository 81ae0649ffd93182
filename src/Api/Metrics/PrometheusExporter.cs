using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace WellWon.Api;

/// <summary>
/// Collects System.Diagnostics.Metrics measurements with a <see cref="MeterListener"/> and writes them in the
/// Prometheus text exposition format (0.0.4): counters as <c>_total</c>, up-down counters and gauges as gauges,
/// histograms as cumulative <c>_bucket</c> series plus <c>_sum</c> and <c>_count</c>. Instruments of the same name
/// from several meter instances (one per host) are merged into one family.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Meters exported by default: the runtime, the API, stores and ASP.NET Core's hosting and Kestrel.</summary>
    public static readonly IReadOnlyList<string> DefaultMeters =
        ["WellWon.", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    private static readonly double[] _millisecondBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
    private static readonly double[] _secondBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, Family> _families = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> _meters;

    /// <summary>Starts listening to the meters whose names start with one of <paramref name="meterPrefixes"/>.</summary>
    public PrometheusExporter(IReadOnlyList<string>? meterPrefixes = null)
    {
        _meters = meterPrefixes ?? DefaultMeters;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<long>((i, v, t, s) => ((Family)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, s) => ((Family)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<short>((i, v, t, s) => ((Family)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<byte>((i, v, t, s) => ((Family)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, s) => ((Family)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<float>((i, v, t, s) => ((Family)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<decimal>((i, v, t, s) => ((Family)s!).Record((double)v, t));
        _listener.Start();
    }

    /// <summary>The content type of <see cref="Write"/>'s output.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes every family in the text exposition format.</summary>
    public string Write()
    {
        // Observable instruments report only when asked; set-semantics families take the fresh values.
        _listener.RecordObservableInstruments();
        var text = new StringBuilder(4096);
        foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            family.Write(text);
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter.Name;
        if (!_meters.Any(prefix => meter.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return;
        }

        var kind = instrument switch
        {
            Counter<long> or Counter<int> or Counter<double> or Counter<float> or Counter<short> or Counter<byte> or Counter<decimal> => Kind.Counter,
            ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> or ObservableCounter<float> => Kind.ObservableCounter,
            _ when IsGeneric(instrument, typeof(Histogram<>)) => Kind.Histogram,
            _ when IsGeneric(instrument, typeof(UpDownCounter<>)) => Kind.UpDownCounter,
            _ when IsGeneric(instrument, typeof(Gauge<>)) || instrument.IsObservable => Kind.Gauge,
            _ => Kind.UpDownCounter,
        };
        var name = MetricName(instrument, kind);
        var family = _families.GetOrAdd(name, n => new Family(n, kind, instrument.Description, BucketsFor(instrument.Unit)));
        if (family.Kind != kind)
        {
            // Two instruments of different kinds that sanitize to one name: keep the first, skip the other.
            return;
        }

        listener.EnableMeasurementEvents(instrument, family);
    }

    private static bool IsGeneric(Instrument instrument, Type definition) =>
        instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == definition;

    private static double[] BucketsFor(string? unit) => unit == "s" ? _secondBuckets : _millisecondBuckets;

    internal static string MetricName(Instrument instrument, Kind kind)
    {
        var name = Sanitize(instrument.Name);
        var suffix = instrument.Unit switch
        {
            "ms" => "_milliseconds",
            "s" => "_seconds",
            "By" => "_bytes",
            _ => "",
        };
        if (suffix.Length > 0 && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        if (kind is Kind.Counter or Kind.ObservableCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    internal static string Sanitize(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            text.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or ':' ? c : '_');
        }

        if (text.Length == 0 || char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }

    internal static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    internal enum Kind
    {
        Counter,
        ObservableCounter,
        UpDownCounter,
        Gauge,
        Histogram,
    }

    private sealed class Family(string name, Kind kind, string? description, double[] buckets)
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

        public string Name { get; } = name;

        public Kind Kind { get; } = kind;

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            var series = _series.GetOrAdd(labels, _ => new Series(Kind == Kind.Histogram ? buckets.Length + 1 : 0));
            lock (series)
            {
                switch (Kind)
                {
                    case Kind.Histogram:
                        var index = Array.BinarySearch(buckets, value);
                        series.Buckets[index >= 0 ? index : ~index]++;
                        series.Sum += value;
                        series.Count++;
                        break;
                    case Kind.Counter or Kind.UpDownCounter:
                        series.Sum += value;
                        break;
                    default:
                        // Observable instruments report the current (cumulative) value.
                        series.Sum = value;
                        break;
                }
            }
        }

        public void Write(StringBuilder text)
        {
            if (_series.IsEmpty)
            {
                return;
            }

            if (!string.IsNullOrEmpty(description))
            {
                text.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(description)).Append('\n');
            }

            text.Append("# TYPE ").Append(Name).Append(' ').Append(Kind switch
            {
                Kind.Counter or Kind.ObservableCounter => "counter",
                Kind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');

            foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (Kind != Kind.Histogram)
                    {
                        text.Append(Name).Append(Braces(labels)).Append(' ').Append(FormatValue(series.Sum)).Append('\n');
                        continue;
                    }

                    long cumulative = 0;
                    for (var i = 0; i <= buckets.Length; i++)
                    {
                        cumulative += series.Buckets[i];
                        var le = i < buckets.Length ? FormatValue(buckets[i]) : "+Inf";
                        var withLe = labels.Length == 0 ? $"le=\"{le}\"" : $"{labels},le=\"{le}\"";
                        text.Append(Name).Append("_bucket{").Append(withLe).Append("} ").Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }

                    text.Append(Name).Append("_sum").Append(Braces(labels)).Append(' ').Append(FormatValue(series.Sum)).Append('\n');
                    text.Append(Name).Append("_count").Append(Braces(labels)).Append(' ').Append(series.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return "";
            }

            var sorted = new KeyValuePair<string, object?>[tags.Length];
            tags.CopyTo(sorted);
            Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var text = new StringBuilder();
            foreach (var (key, value) in sorted)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                var formatted = value switch
                {
                    null => "",
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString() ?? "",
                };
                text.Append(Sanitize(key)).Append("=\"").Append(EscapeLabelValue(formatted)).Append('"');
            }

            return text.ToString();
        }
    }

    private sealed class Series(int buckets)
    {
        public readonly long[] Buckets = new long[buckets];
        public double Sum;
        public long Count;
    }
}
