using System.Globalization;
using LiveHelp.Client;

namespace LiveHelp.Benchmarks;

/// <summary>What the scenarios share: server settings, client options and how figures are written.</summary>
internal static class Bench
{
    /// <summary>
    /// The per-connection message limit (5/s by default, a guard against abuse) is lifted: one agent connection here
    /// carries the traffic of fifty conversations.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["LiveHelp__MessagesPerSecond"] = "1000000",
        ["LiveHelp__MessageBurst"] = "1000000",
    };

    /// <summary>WebSockets straight away, as the widget connects.</summary>
    public static HubConnectionOptions ClientOptions => new() { SkipNegotiation = true };

    public static string Describe(Latencies.Summary s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.P50:0.0} / {s.P95:0.0} / {s.P99:0.0} / {s.Max:0.0}");

    /// <summary>"met" or how far off: a missed target says by how much (<paramref name="ratio"/>× over, or short).</summary>
    public static string Verdict(bool met, string target, double ratio, string off = "over") =>
        met ? $"met ({target})" : string.Create(CultureInfo.InvariantCulture, $"missed ({target}): {ratio:0.0}× {off}");

    /// <summary>Visitors with their own tokens, connected before a measurement starts, a few at a time.</summary>
    public static async Task<List<CustomerClient>> ConnectCustomersAsync(Uri node, int count, CancellationToken ct)
    {
        var customers = new CustomerClient[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            var customer = new CustomerClient(node, ClientOptions);
            await customer.StartAsync(cancellationToken: token);
            customers[i] = customer;
        });
        return [.. customers];
    }

    public static async Task DisposeAllAsync<T>(IEnumerable<T> clients)
        where T : IAsyncDisposable
    {
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (client, _) => await client.DisposeAsync());
    }
}
