using System.Globalization;

namespace LiveHelp.Core.Reports;

/// <summary>
/// What our customers are saying, for a period compared with the one before it: volumes, outcomes, waits, CSAT and
/// phrases, overall and per topic. Built from two periods' <see cref="ReportFigures"/>; knows no SQL.
/// </summary>
public sealed record CustomerReport(
    ReportPeriodView Period,
    ReportPeriodView PreviousPeriod,
    string TimeZone,
    string? Topic,
    PeriodFigures Current,
    PeriodFigures Previous,
    IReadOnlyList<TopicRow> Topics,
    IReadOnlyList<RatedConversation> LowestRated,
    IReadOnlyList<PhraseTrend> Phrases)
{
    public static CustomerReport Build(ReportPeriod period, string? topic, ReportFigures current, ReportFigures previous)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(previous);
        var before = period.Before;
        var previousTopics = previous.Topics.ToDictionary(t => t.Topic, StringComparer.Ordinal);
        var topics = current.Topics.Select(t => t.Topic).Union(previous.Topics.Select(t => t.Topic), StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                var now = current.Topics.FirstOrDefault(t => t.Topic == name) ?? TopicOutcomes.None(name);
                var then = previousTopics.GetValueOrDefault(name) ?? TopicOutcomes.None(name);
                return new TopicRow(name, Outcomes.Of([now]), Outcomes.Of([then]), Csat.Of([now]), Csat.Of([then]));
            })
            .ToList();
        return new CustomerReport(
            ReportPeriodView.Of(period),
            ReportPeriodView.Of(before),
            period.Zone.Id,
            topic,
            PeriodFigures.Of(period, current),
            PeriodFigures.Of(before, previous),
            topics,
            current.LowestRated,
            Reports.Phrases.Rank(current.Words, previous.Words));
    }
}

/// <summary>The period's first and last days (inclusive, in the report's time zone) and the instants they span.</summary>
public sealed record ReportPeriodView(string From, string To, DateTimeOffset Start, DateTimeOffset End)
{
    public static ReportPeriodView Of(ReportPeriod period) => new(
        period.First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        period.Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        period.Start,
        period.End);
}

/// <param name="ByHour">Requests by hour of day (0 to 23) in the report's time zone.</param>
/// <param name="ByWeekday">Requests by day of week, Monday first.</param>
public sealed record PeriodFigures(
    Outcomes Overall,
    IReadOnlyList<long> ByHour,
    IReadOnlyList<long> ByWeekday,
    DurationPercentiles TimeToHuman,
    DurationPercentiles FirstResponse,
    DurationPercentiles HandleTime,
    Csat Csat)
{
    public static PeriodFigures Of(ReportPeriod period, ReportFigures figures)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(figures);
        var byHour = new long[24];
        var byWeekday = new long[7];
        foreach (var arrivals in figures.Arrivals)
        {
            var local = TimeZoneInfo.ConvertTime(period.Start.AddMinutes(15 * arrivals.Quarter), period.Zone);
            byHour[local.Hour] += arrivals.Count;
            byWeekday[((int)local.DayOfWeek + 6) % 7] += arrivals.Count;
        }
        return new PeriodFigures(
            Outcomes.Of(figures.Topics), byHour, byWeekday, figures.TimeToHuman, figures.FirstResponse, figures.HandleTime, Csat.Of(figures.Topics));
    }
}

/// <summary>Requests and what became of them; shares are of all requests (null when there were none).</summary>
public sealed record Outcomes(
    long Requests, long Answered, long Abandoned, long Offline, double? AnsweredShare, double? AbandonedShare, double? OfflineShare)
{
    public static Outcomes Of(IReadOnlyList<TopicOutcomes> topics)
    {
        var requests = topics.Sum(t => t.Requests);
        var answered = topics.Sum(t => t.Answered);
        var abandoned = topics.Sum(t => t.Abandoned);
        var offline = topics.Sum(t => t.Offline);
        return new Outcomes(requests, answered, abandoned, offline, Share(answered, requests), Share(abandoned, requests), Share(offline, requests));
    }

    private static double? Share(long part, long whole) => whole == 0 ? null : (double)part / whole;
}

/// <param name="Distribution">How many ratings of 1 to 5 stars, in that order.</param>
public sealed record Csat(long Rated, double? Average, IReadOnlyList<long> Distribution)
{
    public static Csat Of(IReadOnlyList<TopicOutcomes> topics)
    {
        var rated = topics.Sum(t => t.Rated);
        var distribution = Enumerable.Range(0, 5).Select(star => topics.Sum(t => t.RatingCounts[star])).ToList();
        return new Csat(rated, rated == 0 ? null : (double)topics.Sum(t => t.RatingSum) / rated, distribution);
    }
}

public sealed record TopicRow(string Topic, Outcomes Current, Outcomes Previous, Csat CurrentCsat, Csat PreviousCsat);

/// <summary>
/// A report's period: whole days from <paramref name="First"/> to <paramref name="Last"/> (inclusive) in
/// <paramref name="Zone"/>, whose hours and days of week the report counts by.
/// </summary>
public sealed record ReportPeriod(DateOnly First, DateOnly Last, TimeZoneInfo Zone)
{
    public int Days => Last.DayNumber - First.DayNumber + 1;

    public DateTimeOffset Start => StartOf(First);

    public DateTimeOffset End => StartOf(Last.AddDays(1));

    /// <summary>As many days just before this period.</summary>
    public ReportPeriod Before => new(First.AddDays(-Days), First.AddDays(-1), Zone);

    public ReportWindow Window(string? topic) => new(Start, End, topic);

    /// <summary>
    /// The period of the query's <c>from</c> and <c>to</c> days (yyyy-MM-dd) in the IANA zone <c>tz</c> (UTC when
    /// absent), or a refusal: <see cref="ErrorCodes.BadRange"/>, <see cref="ErrorCodes.BadTimeZone"/>.
    /// </summary>
    public static ReportPeriod Parse(string? from, string? to, string? tz)
    {
        if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
            || !DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var last))
        {
            throw new LiveHelpException(ErrorCodes.BadRange, "from and to must be days as yyyy-MM-dd");
        }
        if (last < first)
        {
            throw new LiveHelpException(ErrorCodes.BadRange, "to must not be before from");
        }
        if (last.DayNumber - first.DayNumber + 1 > ReportLimits.MaxDays)
        {
            throw new LiveHelpException(ErrorCodes.BadRange, $"a report covers at most {ReportLimits.MaxDays} days");
        }
        // The period before must be expressible too.
        if (first.DayNumber - (last.DayNumber - first.DayNumber + 1) < DateOnly.MinValue.AddYears(1).DayNumber || last.Year > 9998)
        {
            throw new LiveHelpException(ErrorCodes.BadRange, "the days are out of range");
        }
        TimeZoneInfo zone;
        try
        {
            zone = string.IsNullOrEmpty(tz) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(tz);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new LiveHelpException(ErrorCodes.BadTimeZone, "tz must be an IANA time zone such as Europe/Paris");
        }
        return new ReportPeriod(first, last, zone);
    }

    private DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }
}
