using System.Data.Common;
using LiveHelp.Core.Reports;

namespace LiveHelp.Persistence;

public sealed partial class PostgresConversationStore
{
    /// <summary>PostgreSQL interpolates the percentiles itself (percentile_cont), so no durations leave the database.</summary>
    private protected override async Task<DurationPercentiles[]> ReadDurationsAsync(string inWindow, Action<DbCommand> bind, CancellationToken ct)
    {
        var figures = string.Join(
            ",\n",
            DurationTicks.Select((ticks, figure) =>
                $"COUNT(*) FILTER (WHERE {DurationFilters[figure]}), "
                + $"percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY {ticks}) FILTER (WHERE {DurationFilters[figure]})"));
        var rows = await QueryAsync(
            $"SELECT {figures} FROM conversations WHERE {inWindow};",
            bind,
            r => Enumerable.Range(0, DurationTicks.Length).Select(figure =>
            {
                var percentiles = r.IsDBNull((2 * figure) + 1) ? null : r.GetFieldValue<double?[]>((2 * figure) + 1);
                return DurationPercentiles.OfTicks(Count(r, 2 * figure), percentiles?[0], percentiles?[1], percentiles?[2]);
            }).ToArray(),
            ct);
        return rows[0];
    }
}
