using LiveHelp.Core.Reports;

namespace LiveHelp.Core.Tests.Reports;

public sealed class PhrasesTests
{
    private static CustomerWords Said(string id, string topic, string? details, string? first = null, string? comment = null) =>
        new(id, topic, details, first, comment);

    [Fact]
    public void A_text_gives_its_lower_cased_runs_of_two_to_four_words_not_starting_or_ending_with_a_stop_word()
    {
        Assert.Equal(
            ["tracking number", "tracking number not working", "number not working"],
            Phrases.Of("My Tracking-number not working, it doesn't work!"));
    }

    [Fact]
    public void A_phrase_counts_once_per_conversation_whether_in_details_first_message_or_comment()
    {
        var ranked = Phrases.Rank(
            [
                Said("c-1", "shipping", "Parcel lost", "parcel lost again", "parcel lost!"),
                Said("c-2", "shipping", null, null, "my parcel lost"),
            ],
            []);

        Assert.Equal([("parcel lost", 2)], ranked.Select(p => (p.Phrase, p.Count)));
    }

    [Fact]
    public void A_phrase_said_once_is_left_out()
    {
        Assert.Empty(Phrases.Rank([Said("c-1", "billing", "double charged"), Said("c-2", "billing", "wrong invoice")], []));
    }

    [Fact]
    public void A_shorter_phrase_said_only_inside_a_longer_one_gives_way_but_one_said_more_often_stays()
    {
        var ranked = Phrases.Rank(
            [
                Said("c-1", "shipping", "tracking number not working"),
                Said("c-2", "shipping", "tracking number not working"),
                Said("c-3", "shipping", "which tracking number"),
            ],
            []);

        Assert.Equal(
            [("tracking number", 3), ("tracking number not working", 2)],
            ranked.Select(p => (p.Phrase, p.Count)));
    }

    [Fact]
    public void The_trend_compares_with_the_period_before_per_topic_and_examples_are_the_first_given()
    {
        var ranked = Phrases.Rank(
            [
                Said("c-4", "shipping", "parcel lost"),
                Said("c-3", "shipping", "parcel lost"),
                Said("c-2", "shipping", "parcel lost"),
                Said("c-1", "shipping", "parcel lost"),
                Said("c-9", "billing", "card declined"),
                Said("c-8", "billing", "card declined"),
            ],
            [
                Said("p-1", "billing", "card declined"), Said("p-2", "billing", "card declined"), Said("p-3", "billing", "card declined"),
                Said("p-4", "shipping", "card declined"), Said("p-5", "shipping", "parcel lost"),
            ]);

        Assert.Equal(
            [("billing", "card declined", 2, 3, "down"), ("shipping", "parcel lost", 4, 1, "up")],
            ranked.Select(p => (p.Topic, p.Phrase, p.Count, p.PreviousCount, p.Trend)));
        Assert.Equal(["c-4", "c-3", "c-2"], ranked[1].Examples);
    }

    [Fact]
    public void Each_topic_lists_at_most_its_top_phrases_most_said_first()
    {
        var words = Enumerable.Range(0, 15).SelectMany(i => Enumerable.Range(0, 2 + i).Select(j => Said($"c-{i}-{j}", "general", $"problem{i} persists")));

        var ranked = Phrases.Rank([.. words], []);

        Assert.Equal(Phrases.PerTopic, ranked.Count);
        Assert.Equal(16, ranked[0].Count);
        Assert.Equal("problem14 persists", ranked[0].Phrase);
    }
}
