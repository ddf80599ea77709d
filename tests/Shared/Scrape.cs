using System.Globalization;

namespace LiveHelp.Testing;

/// <summary>What a Prometheus server reads from a node's /metrics: the sum of a metric's samples, whatever their labels.</summary>
public static class Scrape
{
    /// <summary>The total of <paramref name="metric"/> in a scrape, or null when it is not there; only the samples of <paramref name="node"/> when given.</summary>
    public static double? Total(string scrape, string metric, string? node = null) =>
        Total(scrape, metric, node is null ? null : ("node", node));

    /// <summary>The total of <paramref name="metric"/>'s samples whose <paramref name="label"/> has the given value, or null when there are none.</summary>
    public static double? Total(string scrape, string metric, (string Name, string Value)? label)
    {
        double? total = null;
        foreach (var line in scrape.Split('\n'))
        {
            if (line.StartsWith('#') || !(line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
                || (label is { } l && !line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                continue;
            }
            // "name{labels} value [timestamp]": the value follows the labels, which may hold spaces inside quotes.
            var rest = line[(line.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : metric.Length)..].Trim();
            total = (total ?? 0) + double.Parse(rest.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return total;
    }
}
