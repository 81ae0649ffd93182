using WellWon.Bench;

// Prints one "name value" line per figure. Figures are meant to be compared with the baseline printed in the
// same run (machines here are shared and noisy), see docs/benchmarks.md.
var suites = new Dictionary<string, Func<BenchArgs, Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["runtime"] = RuntimeBench.RunAsync,
    ["chat"] = ChatBench.RunAsync,
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project bench/Bench -- <{string.Join('|', suites.Keys)}> [--seconds N]");
    return 2;
}

var options = BenchArgs.Parse(args.Skip(1).ToArray());
await suite(options);
return 0;
