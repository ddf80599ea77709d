using System.Data.Common;
using System.Globalization;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Reports;

namespace LiveHelp.Persistence;

/// <summary>The customer report's aggregates, one SQL query per figure family, the same SQL on SQLite and PostgreSQL.</summary>
public abstract partial class SqlConversationStore : IReportStore
{
    private const long TicksPerQuarterHour = TimeSpan.TicksPerMinute * 15;

    private const string Answered = "first_assigned_at IS NOT NULL";

    /// <summary>The durations' figures, in the order of <see cref="ReportFigures"/>: time to human, first response, handle time.</summary>
    private protected static readonly string[] DurationFilters =
    [
        Answered,
        $"{Answered} AND first_agent_reply_at IS NOT NULL",
        $"{Answered} AND status = '{nameof(ConversationStatus.Closed)}' AND closed_at IS NOT NULL",
    ];

    private protected static readonly string[] DurationTicks =
    [
        "first_assigned_at - created_at",
        "first_agent_reply_at - first_assigned_at",
        "closed_at - first_assigned_at",
    ];

    public async Task<ReportFigures> ReadReportFiguresAsync(ReportWindow window, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        var inWindow = $"created_at >= @from AND created_at < @to{(window.Topic is null ? "" : " AND topic = @topic")}";
        void Bind(DbCommand c) => BindWindow(c, window);

        var arrivals = await QueryAsync(
            $"""
            SELECT quarter, COUNT(*) AS requests FROM (
                SELECT (created_at - @from) / {TicksPerQuarterHour} AS quarter FROM conversations WHERE {inWindow}
                UNION ALL
                SELECT (created_at - @from) / {TicksPerQuarterHour} FROM offline_messages WHERE {inWindow}) AS arrivals
            GROUP BY quarter ORDER BY quarter;
            """,
            Bind,
            r => new QuarterHourCount(Count(r, 0), Count(r, 1)),
            ct);

        var topics = await QueryAsync(
            $"""
            SELECT topic, COUNT(*), SUM(answered), SUM(abandoned), SUM(offline), COUNT(rating), COALESCE(SUM(rating), 0),
                {string.Join(", ", Enumerable.Range(1, 5).Select(star => $"SUM(CASE WHEN rating = {star} THEN 1 ELSE 0 END)"))}
            FROM (
                SELECT topic,
                    CASE WHEN {Answered} THEN 1 ELSE 0 END AS answered,
                    CASE WHEN first_assigned_at IS NULL AND status IN ('{nameof(ConversationStatus.Closed)}', '{nameof(ConversationStatus.Cancelled)}') THEN 1 ELSE 0 END AS abandoned,
                    0 AS offline, rating
                FROM conversations WHERE {inWindow}
                UNION ALL
                SELECT COALESCE(topic, ''), 0, 0, 1, NULL FROM offline_messages WHERE {inWindow}) AS outcomes
            GROUP BY topic ORDER BY topic;
            """,
            Bind,
            r => new TopicOutcomes(
                r.GetString(0), Count(r, 1), Count(r, 2), Count(r, 3), Count(r, 4), Count(r, 5), Count(r, 6),
                [Count(r, 7), Count(r, 8), Count(r, 9), Count(r, 10), Count(r, 11)]),
            ct);

        var durations = await ReadDurationsAsync(inWindow, Bind, ct);

        var lowestRated = await QueryAsync(
            $"""
            SELECT id, topic, rating, rating_comment, closed_at, closed_at_offset FROM conversations
            WHERE {inWindow} AND rating IS NOT NULL
            ORDER BY rating, closed_at DESC, id LIMIT {ReportLimits.LowestRated};
            """,
            Bind,
            r => new RatedConversation(
                r.GetText("id"), r.GetText("topic"), (int)Count(r, 2), r.GetNullableText("rating_comment"), r.GetNullableTimestamp("closed_at")),
            ct);

        var words = await QueryAsync(
            $"""
            SELECT c.id, c.topic, c.pre_qualification, c.rating_comment,
                (SELECT m.text FROM messages m
                 WHERE m.conversation_id = c.id AND m.kind = '{nameof(MessageKind.Customer)}'
                 ORDER BY m.seq LIMIT 1) AS first_message
            FROM conversations c WHERE {inWindow}
            ORDER BY c.created_at DESC, c.id;
            """,
            Bind,
            r => new CustomerWords(
                r.GetText("id"),
                r.GetText("topic"),
                r.GetJson("pre_qualification", PersistenceJsonContext.Stored.PreQualification).Details,
                r.GetNullableText("first_message"),
                r.GetNullableText("rating_comment")),
            ct);

        return new ReportFigures
        {
            Arrivals = arrivals,
            Topics = topics,
            TimeToHuman = durations[0],
            FirstResponse = durations[1],
            HandleTime = durations[2],
            LowestRated = lowestRated,
            Words = words,
        };
    }

    /// <summary>
    /// The percentiles of the durations of <see cref="DurationTicks"/>: here from one sorted read of the three
    /// columns; a database with percentile functions computes them itself.
    /// </summary>
    private protected virtual async Task<DurationPercentiles[]> ReadDurationsAsync(string inWindow, Action<DbCommand> bind, CancellationToken ct)
    {
        var sql = string.Join(
            "\nUNION ALL\n",
            DurationTicks.Select((ticks, figure) => $"SELECT {figure} AS figure, {ticks} AS ticks FROM conversations WHERE {inWindow} AND {DurationFilters[figure]}"));
        var rows = await QueryAsync(
            $"SELECT figure, ticks FROM ({sql}) AS durations ORDER BY figure, ticks;", bind, r => (Figure: Count(r, 0), Ticks: (double)Count(r, 1)), ct);
        return [.. Enumerable.Range(0, DurationTicks.Length).Select(figure => DurationPercentiles.Of([.. rows.Where(d => d.Figure == figure).Select(d => d.Ticks)]))];
    }

    /// <summary>A count or sum, whichever integer or numeric type the database gives it.</summary>
    private protected static long Count(DbDataReader reader, int ordinal) =>
        Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static void BindWindow(DbCommand command, ReportWindow window)
    {
        command.SetInteger("from", window.From.UtcTicks);
        command.SetInteger("to", window.To.UtcTicks);
        if (window.Topic is not null)
        {
            command.SetText("topic", window.Topic);
        }
    }
}
