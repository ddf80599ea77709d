using LiveHelp.Core.Reports;

namespace LiveHelp.Core.Tests.Reports;

public sealed class ReportPeriodTests
{
    [Fact]
    public void A_period_is_whole_days_in_its_zone_and_the_one_before_is_as_long()
    {
        var week = ReportPeriod.Parse("2026-03-23", "2026-03-29", "Europe/Paris");

        // Paris moves to summer time on Sunday 29 March 2026: the week ends at midnight of summer time.
        Assert.Equal(new DateTimeOffset(2026, 3, 23, 0, 0, 0, TimeSpan.FromHours(1)), week.Start);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 0, 0, 0, TimeSpan.FromHours(2)), week.End);
        Assert.Equal((new DateOnly(2026, 3, 16), new DateOnly(2026, 3, 22)), (week.Before.First, week.Before.Last));
        Assert.Equal(week.Start, week.Before.End);
    }

    [Fact]
    public void Without_a_zone_the_days_are_utc()
    {
        var day = ReportPeriod.Parse("2026-03-02", "2026-03-02", null);

        Assert.Equal((new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero)), (day.Start, day.End));
    }

    [Fact]
    public void Hours_and_days_of_week_are_counted_in_the_zone_across_a_change_of_offset()
    {
        var week = ReportPeriod.Parse("2026-03-23", "2026-03-29", "Europe/Paris");
        // 09:00 local on Monday (08:00 UTC) and 09:00 local on Sunday (07:00 UTC, summer time).
        var mondayNine = (long)(TimeSpan.FromHours(8) - TimeSpan.FromHours(-1)).TotalMinutes / 15;
        var sundayNine = (long)((new DateTimeOffset(2026, 3, 29, 7, 0, 0, TimeSpan.Zero) - week.Start).TotalMinutes / 15);
        var figures = new ReportFigures
        {
            Arrivals = [new(mondayNine, 2), new(sundayNine, 3)],
            Topics = [],
            TimeToHuman = new(0, null, null, null),
            FirstResponse = new(0, null, null, null),
            HandleTime = new(0, null, null, null),
            LowestRated = [],
            Words = [],
        };

        var counted = PeriodFigures.Of(week, figures);

        Assert.Equal(5, counted.ByHour[9]);
        Assert.Equal([2, 0, 0, 0, 0, 0, 3], counted.ByWeekday);
    }

    [Theory]
    [InlineData(null, "2026-03-08", null, ErrorCodes.BadRange)]
    [InlineData("2026-03-08", "2026-03-07", null, ErrorCodes.BadRange)]
    [InlineData("2026-3-8", "2026-03-09", null, ErrorCodes.BadRange)]
    [InlineData("2025-01-01", "2026-01-02", null, ErrorCodes.BadRange)]
    [InlineData("9999-12-01", "9999-12-31", null, ErrorCodes.BadRange)]
    [InlineData("2026-03-02", "2026-03-08", "Not/AZone", ErrorCodes.BadTimeZone)]
    public void Bad_days_or_zones_are_refused_with_a_code(string? from, string? to, string? tz, string code)
    {
        Assert.Equal(code, Assert.Throws<LiveHelpException>(() => ReportPeriod.Parse(from, to, tz)).Code);
    }

    [Fact]
    public void Percentiles_interpolate_between_the_closest_ranks()
    {
        Assert.Equal(new DurationPercentiles(5, 30, 46, 49.6), DurationPercentiles.Of([.. new[] { 10, 20, 30, 40, 50 }.Select(s => s * 1e7)]));
        Assert.Equal(new DurationPercentiles(1, 7, 7, 7), DurationPercentiles.Of([7e7]));
        Assert.Equal(new DurationPercentiles(0, null, null, null), DurationPercentiles.Of([]));
    }
}
