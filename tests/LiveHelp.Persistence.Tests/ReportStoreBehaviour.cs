using LiveHelp.Core.Conversations;
using LiveHelp.Core.Reports;

namespace LiveHelp.Persistence.Tests;

/// <summary>
/// What every <see cref="IReportStore"/> must answer on the known set of <see cref="CustomerReportSeed"/>, whatever
/// the database: each figure below is worked out by hand from the seed.
/// </summary>
public abstract class ReportStoreBehaviour : IAsyncLifetime
{
    private IConversationStore? store;

    private IConversationStore Store => store ?? throw new InvalidOperationException("The store is not created yet.");

    private IReportStore Reports => (IReportStore)Store;

    /// <summary>A fresh, initialised store on a new, empty database.</summary>
    protected abstract Task<IConversationStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        store = await CreateStoreAsync();
        await CustomerReportSeed.SeedAsync(Store);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static ReportPeriod Week(string? tz = null) => ReportPeriod.Parse(CustomerReportSeed.From, CustomerReportSeed.To, tz);

    [Fact]
    public async Task TheWeeksOutcomes_CountConversationsAndOfflineMessagesCreatedInIt_PerTopic()
    {
        var figures = await Reports.ReadReportFiguresAsync(Week().Window(null));

        Assert.Equal(
            [
                new("", 1, 0, 0, 1, 0, 0, [0, 0, 0, 0, 0]),
                new("billing", 3, 2, 0, 0, 1, 4, [0, 0, 0, 1, 0]),
                new("shipping", 5, 3, 1, 1, 3, 8, [1, 1, 0, 0, 1]),
            ],
            figures.Topics.Select(t => t with { RatingCounts = [.. t.RatingCounts] }).ToList(),
            TopicOutcomesComparer.Instance);
    }

    [Fact]
    public async Task ArrivalsAreCountedByQuarterHourAfterTheStart()
    {
        var figures = await Reports.ReadReportFiguresAsync(Week().Window(null));

        // 09:10 and 09:40 on the Monday are quarters 36 and 38; 23:59:59 on the Sunday is the last, 671.
        Assert.Equal(
            [(36, 1), (38, 1), (96 + 56, 1), (96 + 57, 1), (192 + 91, 1), (288 + 32, 1), (384 + 12, 1), (480 + 40, 1), (671, 1)],
            figures.Arrivals.Select(a => ((int)a.Quarter, (int)a.Count)).ToList());
    }

    [Fact]
    public async Task Percentiles_InterpolateBetweenTheClosestRanks()
    {
        var figures = await Reports.ReadReportFiguresAsync(Week().Window(null));

        Assert.Equal(new DurationPercentiles(5, 30, 46, 49.6), figures.TimeToHuman);
        Assert.Equal(new DurationPercentiles(4, 20, 32, 34.7), figures.FirstResponse);
        Assert.Equal(new DurationPercentiles(4, 250, 370, 397), figures.HandleTime);
    }

    [Fact]
    public async Task AnEmptyWindow_HasNoPercentilesAndNoRequests()
    {
        var figures = await Reports.ReadReportFiguresAsync(ReportPeriod.Parse("2020-01-01", "2020-01-07", null).Window(null));

        Assert.Empty(figures.Topics);
        Assert.Empty(figures.Arrivals);
        Assert.Equal(new DurationPercentiles(0, null, null, null), figures.TimeToHuman);
    }

    [Fact]
    public async Task TheLowestRated_ComeLowestFirst_WithTheirComments()
    {
        var figures = await Reports.ReadReportFiguresAsync(Week().Window(null));

        Assert.Equal(
            [(CustomerReportSeed.LowestRatedId, 1, CustomerReportSeed.LowestRatedComment), ("c-ship-3", 2, "slow answer"), ("c-bill-1", 4, null), ("c-ship-1", 5, null)],
            figures.LowestRated.Select(r => (r.ConversationId, r.Rating, r.Comment)).ToList());
    }

    [Fact]
    public async Task ATopic_NarrowsEveryFigure()
    {
        var figures = await Reports.ReadReportFiguresAsync(Week().Window("billing"));

        Assert.Equal(["billing"], figures.Topics.Select(t => t.Topic));
        Assert.Equal(3, figures.Arrivals.Sum(a => a.Count));
        Assert.Equal(new DurationPercentiles(2, 45, 49, 49.9), figures.TimeToHuman);
        Assert.Equal(["c-bill-1"], figures.LowestRated.Select(r => r.ConversationId));
        Assert.Equal(["c-bill-2", "c-bill-3", "c-bill-1"], figures.Words.Select(w => w.ConversationId));
    }

    [Fact]
    public async Task WhatCustomersWrote_IsTheDetailsTheFirstCustomerMessageAndTheComment_NewestFirst()
    {
        var figures = await Reports.ReadReportFiguresAsync(Week().Window("shipping"));

        Assert.Equal(
            [
                ("c-ship-4", "parcel arrived damaged", null, null),
                ("c-ship-3", null, "Tracking number not working", "slow answer"),
                ("c-ship-2", "where is my parcel", "the tracking number not working at all", CustomerReportSeed.LowestRatedComment),
                ("c-ship-1", "My tracking number not working since Monday", null, null),
            ],
            figures.Words.Select(w => (w.ConversationId, w.Details, w.FirstMessage, w.RatingComment)).ToList());
    }

    [Fact]
    public async Task TheReport_ComparesTheWeekWithTheOneBefore()
    {
        var week = Week();
        var report = CustomerReport.Build(
            week, null, await Reports.ReadReportFiguresAsync(week.Window(null)), await Reports.ReadReportFiguresAsync(week.Before.Window(null)));

        Assert.Equal(new Outcomes(9, 5, 1, 2, 5 / 9.0, 1 / 9.0, 2 / 9.0), report.Current.Overall);
        Assert.Equal(new Outcomes(2, 1, 1, 0, 0.5, 0.5, 0), report.Previous.Overall);
        Assert.Equal([2, 2, 1, 1, 1, 1, 1], report.Current.ByWeekday);
        Assert.Equal(ByHour((3, 1), (8, 1), (9, 2), (10, 1), (14, 2), (22, 1), (23, 1)), report.Current.ByHour);
        Assert.Equal(3.0, report.Current.Csat.Average);
        Assert.Equal([1, 1, 0, 1, 1], report.Current.Csat.Distribution);
        Assert.Equal(60, report.Previous.TimeToHuman.P50);

        var top = report.Phrases.First(p => p.Topic == "shipping");
        Assert.Equal(new PhraseTrend("shipping", CustomerReportSeed.TopPhrase, 3, 1, "up", ["c-ship-3", "c-ship-2", "c-ship-1"]), top with { Examples = [.. top.Examples] }, PhraseComparer.Instance);
        Assert.Equal(
            [("charged on my card", 2, 0, "up"), ("double charged", 2, 0, "up")],
            report.Phrases.Where(p => p.Topic == "billing").Select(p => (p.Phrase, p.Count, p.PreviousCount, p.Trend)).ToList());
    }

    [Fact]
    public async Task InAnotherTimeZone_TheDaysAndHoursAreThatZones()
    {
        // Kolkata is UTC+05:30: the week runs from 18:30 UTC on Sunday 1 March to 18:30 UTC on Sunday 8 March.
        var week = Week("Asia/Kolkata");
        var report = CustomerReport.Build(
            week, null, await Reports.ReadReportFiguresAsync(week.Window(null)), await Reports.ReadReportFiguresAsync(week.Before.Window(null)));

        Assert.Equal(9, report.Current.Overall.Requests);
        Assert.Equal([3, 2, 0, 2, 1, 1, 0], report.Current.ByWeekday);
        Assert.Equal(ByHour((4, 1), (5, 1), (8, 1), (13, 1), (14, 1), (15, 2), (19, 2)), report.Current.ByHour);
    }

    private static long[] ByHour(params (int Hour, long Count)[] counts)
    {
        var hours = new long[24];
        foreach (var (hour, count) in counts)
        {
            hours[hour] = count;
        }
        return hours;
    }

    private sealed class TopicOutcomesComparer : IEqualityComparer<TopicOutcomes>
    {
        public static readonly TopicOutcomesComparer Instance = new();

        public bool Equals(TopicOutcomes? x, TopicOutcomes? y) =>
            x is not null && y is not null && x with { RatingCounts = [] } == y with { RatingCounts = [] } && x.RatingCounts.SequenceEqual(y.RatingCounts);

        public int GetHashCode(TopicOutcomes obj) => obj.Topic.GetHashCode(StringComparison.Ordinal);
    }

    private sealed class PhraseComparer : IEqualityComparer<PhraseTrend>
    {
        public static readonly PhraseComparer Instance = new();

        public bool Equals(PhraseTrend? x, PhraseTrend? y) =>
            x is not null && y is not null && x with { Examples = [] } == y with { Examples = [] } && x.Examples.SequenceEqual(y.Examples);

        public int GetHashCode(PhraseTrend obj) => obj.Phrase.GetHashCode(StringComparison.Ordinal);
    }
}
