namespace LiveHelp.Core.Reports;

/// <summary>
/// The store of record's aggregates for the customer report. Every figure is computed by the database over the
/// conversations (and offline messages) created in the window, so every node reads the same answer.
/// </summary>
public interface IReportStore
{
    /// <summary>The figures of the requests created in <paramref name="window"/>, one query per figure family.</summary>
    Task<ReportFigures> ReadReportFiguresAsync(ReportWindow window, CancellationToken ct = default);
}

/// <summary>The requests created from <paramref name="From"/> (inclusive) to <paramref name="To"/> (exclusive), of one topic or all (null).</summary>
public sealed record ReportWindow(DateTimeOffset From, DateTimeOffset To, string? Topic);

public sealed record ReportFigures
{
    /// <summary>Requests (conversations and offline messages) by the quarter hour after the window's start they arrived in.</summary>
    public required IReadOnlyList<QuarterHourCount> Arrivals { get; init; }

    public required IReadOnlyList<TopicOutcomes> Topics { get; init; }

    /// <summary>From pressing for help to an agent joining, of the answered conversations.</summary>
    public required DurationPercentiles TimeToHuman { get; init; }

    /// <summary>From an agent joining to the agent's first reply.</summary>
    public required DurationPercentiles FirstResponse { get; init; }

    /// <summary>From an agent joining to the conversation closing.</summary>
    public required DurationPercentiles HandleTime { get; init; }

    /// <summary>The lowest-rated conversations, lowest first, at most <see cref="ReportLimits.LowestRated"/>.</summary>
    public required IReadOnlyList<RatedConversation> LowestRated { get; init; }

    /// <summary>What customers wrote, per conversation: the details, the first message and the rating comment.</summary>
    public required IReadOnlyList<CustomerWords> Words { get; init; }
}

/// <param name="Quarter">How many whole quarter hours after the window's start the requests arrived.</param>
public sealed record QuarterHourCount(long Quarter, long Count);

/// <summary>
/// What became of one topic's requests: answered (an agent joined), abandoned (ended before any agent joined),
/// left as an offline message; and their ratings, <see cref="RatingCounts"/>[0] being the number of 1-star ratings.
/// </summary>
public sealed record TopicOutcomes(
    string Topic, long Requests, long Answered, long Abandoned, long Offline, long Rated, long RatingSum, IReadOnlyList<long> RatingCounts)
{
    public static TopicOutcomes None(string topic) => new(topic, 0, 0, 0, 0, 0, 0, [0, 0, 0, 0, 0]);
}

/// <summary>Percentiles in seconds (null when <paramref name="Count"/> is 0), interpolated as PostgreSQL's percentile_cont.</summary>
public sealed record DurationPercentiles(long Count, double? P50, double? P90, double? P99)
{
    public static DurationPercentiles Of(IReadOnlyList<double> sortedTicks) => OfTicks(
        sortedTicks.Count, Percentile.Of(sortedTicks, 0.5), Percentile.Of(sortedTicks, 0.9), Percentile.Of(sortedTicks, 0.99));

    /// <summary>Percentiles given in ticks, as seconds to the millisecond.</summary>
    public static DurationPercentiles OfTicks(long count, double? p50, double? p90, double? p99) =>
        new(count, Seconds(p50), Seconds(p90), Seconds(p99));

    private static double? Seconds(double? ticks) => ticks is { } t ? Math.Round(t / TimeSpan.TicksPerSecond, 3) : null;
}

public sealed record RatedConversation(string ConversationId, string Topic, int Rating, string? Comment, DateTimeOffset? ClosedAt);

public sealed record CustomerWords(string ConversationId, string Topic, string? Details, string? FirstMessage, string? RatingComment);

public static class ReportLimits
{
    public const int LowestRated = 10;

    /// <summary>The longest period a report covers, so the quarter-hour counts stay a few tens of thousands of rows.</summary>
    public const int MaxDays = 366;
}

public static class Percentile
{
    /// <summary>The <paramref name="p"/> percentile of sorted values by linear interpolation between closest ranks (percentile_cont).</summary>
    public static double? Of(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var position = p * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
