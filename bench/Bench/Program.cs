using WellWon.Bench;

// Prints one "name value" line per figure. Figures are meant to be compared with the baseline printed in the
// same run (machines here are shared and noisy), see docs/benchmarks.md.
var suites = new Dictionary<string, Func<BenchArgs, Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["runtime"] = RuntimeBench.RunAsync,
    ["cluster"] = ClusterBench.RunAsync,
    ["chat"] = ChatBench.RunAsync,
    ["gateway"] = GatewayBench.RunAsync,
};

// The gateway suite's clients, in a child process the suite starts itself.
if (args.Length > 0 && args[0] == "gateway-clients")
{
    return await GatewayClients.RunAsync(args[1..]);
}

if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project bench/Bench -- <{string.Join('|', suites.Keys)}> [--seconds N] [--callers N] [--activations N] [--sessions N] [--rounds R]");
    return 2;
}

var options = BenchArgs.Parse(args.Skip(1).ToArray());
await suite(options);
return 0;
