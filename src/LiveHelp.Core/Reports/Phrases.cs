using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace LiveHelp.Core.Reports;

/// <param name="Count">How many conversations of the period said the phrase.</param>
/// <param name="PreviousCount">How many of the period before said it.</param>
/// <param name="Trend">"up", "down" or "same": the count against the previous one.</param>
/// <param name="Examples">A few conversations that said it, the newest first.</param>
public sealed record PhraseTrend(string Topic, string Phrase, int Count, int PreviousCount, string Trend, IReadOnlyList<string> Examples);

/// <summary>
/// What customers are saying: the phrases of two to four words that most conversations of a topic share, counted
/// plainly (lower-cased words, no phrase starting or ending with a stop word), with the previous period's count.
/// </summary>
public static partial class Phrases
{
    public const int PerTopic = 10;
    public const int ExamplesPerPhrase = 3;

    private const int ShortestPhrase = 2;
    private const int LongestPhrase = 4;

    // A phrase said once is noise, not something customers are saying.
    private const int LeastCount = 2;

    private static readonly FrozenSet<string> StopWords = """
        a about above after again against all am an and any are aren't as at be because been before being below
        between both but by can can't could couldn't did didn't do does doesn't doing don't down during each few for
        from further had hadn't has hasn't have haven't having he her here hers herself him himself his how i i'm i've
        if in into is isn't it it's its itself just let's me more most my myself no nor not of off on once only or
        other ought our ours ourselves out over own same she should shouldn't so some such than that that's the their
        theirs them themselves then there there's these they they're this those through to too under until up very was
        wasn't we we're were weren't what when where which while who whom why will with won't would wouldn't you
        you're your yours yourself yourselves hi hello hey thanks thank please ok okay yes get got also still im
        """.Split((char[])[' ', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The top phrases of each topic in <paramref name="current"/>, ordered by topic, then most said first.</summary>
    public static IReadOnlyList<PhraseTrend> Rank(IReadOnlyList<CustomerWords> current, IReadOnlyList<CustomerWords> previous, int perTopic = PerTopic)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(previous);
        var before = previous.GroupBy(w => w.Topic, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Said(g).ToDictionary(p => p.Key, p => p.Value.Count, StringComparer.Ordinal), StringComparer.Ordinal);
        var ranked = new List<PhraseTrend>();
        foreach (var topic in current.GroupBy(w => w.Topic, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var said = Said(topic).Where(p => p.Value.Count >= LeastCount).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var earlier = before.GetValueOrDefault(topic.Key) ?? [];
            ranked.AddRange(WithoutSubsumed(said)
                .Select(p => new PhraseTrend(
                    topic.Key, p, said[p].Count, earlier.GetValueOrDefault(p), TrendOf(said[p].Count, earlier.GetValueOrDefault(p)), said[p].Take(ExamplesPerPhrase).ToList()))
                .OrderByDescending(t => t.Count)
                .ThenByDescending(t => t.Count - t.PreviousCount)
                .ThenByDescending(t => t.Phrase.Count(c => c == ' '))
                .ThenBy(t => t.Phrase, StringComparer.Ordinal)
                .Take(perTopic));
        }
        return ranked;
    }

    /// <summary>
    /// The distinct phrases of a text: lower-cased runs of two to four words within a clause (no phrase spans
    /// punctuation such as a comma or a full stop), not starting or ending with a stop word.
    /// </summary>
    public static IEnumerable<string> Of(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            yield break;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var clause in Clause().Split(text.ToLowerInvariant()))
        {
            foreach (var phrase in InClause(Word().Matches(clause).Select(m => m.Value.Replace('’', '\'')).ToArray()))
            {
                if (seen.Add(phrase))
                {
                    yield return phrase;
                }
            }
        }
    }

    private static IEnumerable<string> InClause(string[] words)
    {
        for (var start = 0; start < words.Length; start++)
        {
            for (var length = ShortestPhrase; length <= LongestPhrase && start + length <= words.Length; length++)
            {
                if (StopWords.Contains(words[start]) || StopWords.Contains(words[start + length - 1]))
                {
                    continue;
                }
                yield return string.Join(' ', words, start, length);
            }
        }
    }

    private static string TrendOf(int count, int previous) => count > previous ? "up" : count < previous ? "down" : "same";

    /// <summary>Each phrase with the conversations that said it (each once), in the order given.</summary>
    private static Dictionary<string, List<string>> Said(IEnumerable<CustomerWords> words)
    {
        var said = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var w in words)
        {
            foreach (var phrase in Of(w.Details).Concat(Of(w.FirstMessage)).Concat(Of(w.RatingComment)).Distinct(StringComparer.Ordinal))
            {
                if (!said.TryGetValue(phrase, out var conversations))
                {
                    said[phrase] = conversations = [];
                }
                conversations.Add(w.ConversationId);
            }
        }
        return said;
    }

    /// <summary>
    /// The phrases less those inside a longer one said as often ("tracking number" when every conversation saying it
    /// said "tracking number not working"), so the list shows what customers say rather than its pieces.
    /// </summary>
    private static IEnumerable<string> WithoutSubsumed(Dictionary<string, List<string>> said)
    {
        var subsumed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (phrase, conversations) in said)
        {
            var words = phrase.Split(' ');
            for (var length = ShortestPhrase; length < words.Length; length++)
            {
                for (var start = 0; start + length <= words.Length; start++)
                {
                    var inner = string.Join(' ', words, start, length);
                    if (said.TryGetValue(inner, out var innerConversations) && innerConversations.Count == conversations.Count)
                    {
                        subsumed.Add(inner);
                    }
                }
            }
        }
        return said.Keys.Where(p => !subsumed.Contains(p));
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*")]
    private static partial Regex Word();

    [GeneratedRegex(@"[.,;:!?()\[\]{}""“”«»…\r\n]+")]
    private static partial Regex Clause();
}
