using System.Globalization;
using System.Text;
using LiveHelp.Core;
using LiveHelp.Core.Reports;
using LiveHelp.Server.Help;

namespace LiveHelp.Server.Api;

/// <summary>
/// The customer report for supervisors and admins: a period of whole days in a time zone compared with the one
/// before, as JSON and the same numbers as CSV.
/// </summary>
internal static class ReportApi
{
    private static readonly string[] Refusals = [ErrorCodes.BadRange, ErrorCodes.BadTimeZone, ErrorCodes.Unauthorized, ErrorCodes.Forbidden];

    public static void MapReportApi(this RouteGroupBuilder api)
    {
        var reports = api.MapGroup("/reports").RequireAuthorization(StaffApi.Supervisors);
        reports.MapGet("/customers-saying", async (string? from, string? to, string? topic, string? tz, IReportStore store) =>
                Results.Ok(await BuildAsync(store, from, to, topic, tz)))
            .Produces<CustomerReport>()
            .Documented("What our customers are saying: volumes, outcomes, waits, CSAT and phrases for a period against the one before", Refusals);
        reports.MapGet("/customers-saying.csv", async (string? from, string? to, string? topic, string? tz, IReportStore store) =>
            {
                var report = await BuildAsync(store, from, to, topic, tz);
                return Results.File(
                    Encoding.UTF8.GetBytes(Csv(report)),
                    "text/csv; charset=utf-8",
                    $"customers-saying-{report.Period.From}-{report.Period.To}.csv");
            })
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .Documented("The customer report's numbers as CSV: one row per figure, this period and the one before", Refusals);
    }

    private static async Task<CustomerReport> BuildAsync(IReportStore store, string? from, string? to, string? topic, string? tz)
    {
        Validate.Optional(topic, "topic", 64);
        var period = ReportPeriod.Parse(from, to, tz);
        var chosen = string.IsNullOrEmpty(topic) ? null : topic;
        var current = await store.ReadReportFiguresAsync(period.Window(chosen));
        var previous = await store.ReadReportFiguresAsync(period.Before.Window(chosen));
        return CustomerReport.Build(period, chosen, current, previous);
    }

    /// <summary>
    /// One row per figure: section, topic, item, this period, the period before, and a note (a comment, example
    /// conversations). Text a spreadsheet would run as a formula is defused.
    /// </summary>
    public static string Csv(CustomerReport report)
    {
        var csv = new StringBuilder();
        void Row(string section, string topic, string item, object? current, object? previous, string? note = null) =>
            csv.AppendJoin(',', new[] { section, topic, item, Number(current), Number(previous), note ?? "" }.Select(CsvCells.Cell)).Append("\r\n");

        Row("section", "topic", "item", "current", "previous", "note");
        Row("period", "", "from", report.Period.From, report.PreviousPeriod.From, report.TimeZone);
        Row("period", "", "to", report.Period.To, report.PreviousPeriod.To);
        void Outcomes(string topic, Outcomes now, Outcomes then)
        {
            Row("volume", topic, "requests", now.Requests, then.Requests);
            Row("volume", topic, "answered", now.Answered, then.Answered);
            Row("volume", topic, "abandoned", now.Abandoned, then.Abandoned);
            Row("volume", topic, "offline", now.Offline, then.Offline);
            Row("volume", topic, "answered_share", now.AnsweredShare, then.AnsweredShare);
            Row("volume", topic, "abandoned_share", now.AbandonedShare, then.AbandonedShare);
            Row("volume", topic, "offline_share", now.OfflineShare, then.OfflineShare);
        }
        void Ratings(string topic, Csat now, Csat then)
        {
            Row("csat", topic, "rated", now.Rated, then.Rated);
            Row("csat", topic, "average", now.Average, then.Average);
            for (var star = 0; star < 5; star++)
            {
                Row("csat", topic, $"rating_{star + 1}", now.Distribution[star], then.Distribution[star]);
            }
        }
        Outcomes("", report.Current.Overall, report.Previous.Overall);
        Ratings("", report.Current.Csat, report.Previous.Csat);
        for (var hour = 0; hour < 24; hour++)
        {
            Row("hour", "", hour.ToString(CultureInfo.InvariantCulture), report.Current.ByHour[hour], report.Previous.ByHour[hour]);
        }
        string[] days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        for (var day = 0; day < 7; day++)
        {
            Row("weekday", "", days[day], report.Current.ByWeekday[day], report.Previous.ByWeekday[day]);
        }
        void Durations(string section, DurationPercentiles now, DurationPercentiles then)
        {
            Row(section, "", "count", now.Count, then.Count);
            Row(section, "", "p50", now.P50, then.P50);
            Row(section, "", "p90", now.P90, then.P90);
            Row(section, "", "p99", now.P99, then.P99);
        }
        Durations("time_to_human_seconds", report.Current.TimeToHuman, report.Previous.TimeToHuman);
        Durations("first_response_seconds", report.Current.FirstResponse, report.Previous.FirstResponse);
        Durations("handle_time_seconds", report.Current.HandleTime, report.Previous.HandleTime);
        foreach (var topic in report.Topics)
        {
            Outcomes(topic.Topic, topic.Current, topic.Previous);
            Ratings(topic.Topic, topic.CurrentCsat, topic.PreviousCsat);
        }
        foreach (var rated in report.LowestRated)
        {
            Row("lowest_rated", rated.Topic, rated.ConversationId, rated.Rating, null, rated.Comment);
        }
        foreach (var phrase in report.Phrases)
        {
            Row("phrase", phrase.Topic, phrase.Phrase, phrase.Count, phrase.PreviousCount, string.Join(' ', phrase.Examples));
        }
        return csv.ToString();
    }

    private static string Number(object? value) => value switch
    {
        null => "",
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

}
