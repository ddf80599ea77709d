using System.Diagnostics;
using LiveHelp.Benchmarks;
using LiveHelp.Benchmarks.Scenarios;

// Runs the scenarios against real servers on loopback and writes a markdown report.
//   dotnet run -c Release --no-build --project tests/LiveHelp.Benchmarks -- [--smoke] [--only storm,traffic,connections,calls,widget,history] [--out FILE]
//   Shorter runs, for comparing a change:
//     [--nodes 1|2]             the storm on that one deployment only
//     [--relays floor,livehelp-1,livehelp-2,socketio-1,socketio-2] [--rates 1000,2000]   traffic on those relays and rates
//     [--connections N]         the connections scenario up to N idle connections
if (args is ["echo-server", var echoPort])
{
    await EchoRelay.ServeAsync(int.Parse(echoPort, System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}
var options = BenchOptions.Parse(args);
var scenarios = new (string Name, Func<BenchOptions, CancellationToken, Task<Section>> Run)[]
{
    ("storm", HelpStorm.RunAsync),
    ("traffic", Traffic.RunAsync),
    ("connections", Connections.RunAsync),
    ("calls", CallSetup.RunAsync),
    ("widget", WidgetWeight.RunAsync),
    ("history", History.RunAsync),
};
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var started = Stopwatch.StartNew();
var sections = new List<Section>();
var failed = new List<string>();
foreach (var (name, run) in scenarios.Where(s => options.Only.Count == 0 || options.Only.Contains(s.Name)))
{
    Console.WriteLine($"== {name}");
    try
    {
        var section = await run(options, cancel.Token);
        sections.Add(section);
        foreach (var table in section.Tables)
        {
            var text = new System.Text.StringBuilder();
            table.WriteTo(text);
            Console.Write(text);
        }
    }
    catch (Exception e) when (e is not OperationCanceledException)
    {
        // One broken scenario must not hide the others' figures, but the run fails.
        Console.Error.WriteLine($"scenario {name} failed: {e}");
        failed.Add(name);
        sections.Add(new Section(name).Say($"This scenario failed in this run: {e.GetType().Name}: {e.Message}"));
    }
}
var report = Report.Render(options.Command, sections, started.Elapsed);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
// The analysis under the marker is written by hand (profiles, what a missed target comes from) and survives a new run.
var previous = File.Exists(options.Output) ? await File.ReadAllTextAsync(options.Output) : "";
var notes = previous.IndexOf(Report.NotesMarker, StringComparison.Ordinal) is var at and >= 0 ? previous[at..] : Report.NotesMarker + "\n";
await File.WriteAllTextAsync(options.Output, report + notes);
Console.WriteLine($"Report written to {options.Output} ({sections.Count} scenarios, {started.Elapsed.TotalSeconds:0} s).");
if (failed.Count > 0)
{
    Console.Error.WriteLine($"Failed scenarios: {string.Join(", ", failed)}");
    return 1;
}
return 0;

namespace LiveHelp.Benchmarks
{
    /// <summary>The command line: smoke mode (seconds per scenario, for CI), which scenarios, which storm deployment, where the report goes.</summary>
    internal sealed record BenchOptions(bool Smoke, IReadOnlySet<string> Only, int? Nodes, string Output, string Command, int? ConnectionCap = null)
    {
        /// <summary>How long each measured step runs: a few seconds in smoke mode, long enough for stable tails otherwise.</summary>
        public TimeSpan Step => Smoke ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(15);

        /// <summary>The traffic relays to run (floor, livehelp-1, livehelp-2, socketio-1, socketio-2); empty: all.</summary>
        public IReadOnlySet<string> Relays { get; init; } = new HashSet<string>();

        /// <summary>The traffic rates to step through instead of the full sweep; empty: the sweep.</summary>
        public IReadOnlyList<int> Rates { get; init; } = [];

        public static BenchOptions Parse(string[] args)
        {
            var smoke = false;
            var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            int? nodes = null;
            string? output = null;
            int? connectionCap = null;
            var relays = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var rates = new List<int>();
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--smoke":
                        smoke = true;
                        break;
                    case "--only" when i + 1 < args.Length:
                        only.UnionWith(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                        break;
                    case "--nodes" when i + 1 < args.Length && args[i + 1] is "1" or "2":
                        nodes = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    case "--relays" when i + 1 < args.Length:
                        relays.UnionWith(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                        break;
                    case "--rates" when i + 1 < args.Length:
                        rates.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(r => int.Parse(r, System.Globalization.CultureInfo.InvariantCulture)));
                        break;
                    case "--out" when i + 1 < args.Length:
                        output = args[++i];
                        break;
                    case "--connections" when i + 1 < args.Length && int.TryParse(args[i + 1], out var cap) && cap > 0:
                        connectionCap = cap;
                        i++;
                        break;
                    default:
                        throw new ArgumentException(
                            $"unknown argument '{args[i]}'; use --smoke, --only a,b, --nodes 1|2, --relays a,b, --rates n,m, --connections N and --out FILE");
                }
            }
            var command = "dotnet run -c Release --no-build --project tests/LiveHelp.Benchmarks" + (args.Length == 0 ? "" : " -- " + string.Join(' ', args));
            return new BenchOptions(smoke, only, nodes, output ?? Path.Combine(Deployment.RepositoryRoot(), "docs", "BENCHMARKS.md"), command, connectionCap)
            {
                Relays = relays,
                Rates = rates,
            };
        }
    }
}
