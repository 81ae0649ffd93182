using System.Globalization;

namespace WellWon.Bench;

/// <summary>Common benchmark settings.</summary>
public sealed record BenchArgs(double Seconds, int Callers, int Activations, int Sessions = 2000, int Rounds = 20)
{
    public static BenchArgs Parse(string[] args)
    {
        double seconds = 5;
        var callers = 64;
        var activations = 100_000;
        var sessions = 2000;
        var rounds = 20;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--seconds":
                    seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--callers":
                    callers = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--activations":
                    activations = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--sessions":
                    sessions = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--rounds":
                    rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}");
            }
        }

        return new BenchArgs(seconds, callers, activations, sessions, rounds);
    }
}

/// <summary>Output helpers: one invariant-culture "name value" line per figure, progress on stderr.</summary>
public static class Report
{
    public static void Figure(string name, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {value:0.###}"));

    public static void Progress(string text) => Console.Error.WriteLine($"# {text}");
}
