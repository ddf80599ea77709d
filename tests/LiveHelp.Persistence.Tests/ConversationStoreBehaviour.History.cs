using LiveHelp.Core;
using LiveHelp.Core.Calls;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Persistence.Tests;

/// <summary>The history search: text over messages, notes, details and offline messages; filters; scoping; paging.</summary>
public abstract partial class ConversationStoreBehaviour
{
    private async Task<Conversation> AddPastAsync(string id, int minutesAfterT0, Func<Conversation, Conversation>? shape = null)
    {
        var conversation = NewConversation(id, createdAt: T0.AddMinutes(minutesAfterT0), status: ConversationStatus.Closed);
        conversation = shape?.Invoke(conversation) ?? conversation;
        await Store.AddConversationAsync(conversation);
        return conversation;
    }

    private async Task SayAsync(string conversationId, string text, MessageKind kind = MessageKind.Customer, string? senderId = "v-x") =>
        await Store.AppendMessageAsync(NewMessage(conversationId, senderId, null, kind) with { Text = text });

    private async Task<List<string>> FindAsync(HistoryQuery query) =>
        (await Store.SearchHistoryAsync(query)).Entries.Select(e => e.Conversation.Id).ToList();

    [Fact]
    public async Task SearchHistoryAsync_FindsWordsInAMessage_AnyFormOfTheWord_WithASnippet()
    {
        await AddPastAsync("c-refund", 1);
        await SayAsync("c-refund", "Hello, I would like a refund for order 42 please");
        await AddPastAsync("c-other", 2);
        await SayAsync("c-other", "Where is my parcel?");

        var page = await Store.SearchHistoryAsync(new HistoryQuery { Text = "Refunds" });

        var entry = Assert.Single(page.Entries);
        Assert.Equal("c-refund", entry.Conversation.Id);
        Assert.Contains("refund", entry.Snippet, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["c-refund"], await FindAsync(new HistoryQuery { Text = "refund order" }));
        Assert.Empty(await FindAsync(new HistoryQuery { Text = "refund parcel" }));
    }

    [Fact]
    public async Task SearchHistoryAsync_FindsWordsInTheDetails_ANote_AndAnOfflineMessageOfTheVisitor()
    {
        await AddPastAsync("c-details", 1, c => c with { PreQualification = new PreQualification { Details = "Screen stays black" } });
        await AddPastAsync("c-note", 2);
        await SayAsync("c-note", "Customer was double charged", MessageKind.Note, "a-1");
        await AddPastAsync("c-offline", 3, c => c with { VisitorId = "v-offline" });
        await Store.AddOfflineMessageAsync(new OfflineMessage { Id = "o-1", VisitorId = "v-offline", Text = "Warranty claim for my kettle", CreatedAt = T1 });
        await AddPastAsync("c-plain", 4);

        foreach (var (word, id) in new[] { ("black", "c-details"), ("charged", "c-note"), ("kettle", "c-offline") })
        {
            // Found, and the excerpt shows where: a supervisor sees why the conversation matched.
            var entry = Assert.Single((await Store.SearchHistoryAsync(new HistoryQuery { Text = word })).Entries);
            Assert.Equal(id, entry.Conversation.Id);
            Assert.Contains(word, entry.Snippet, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task SearchHistoryAsync_TextThatLooksLikeQuerySyntax_IsSearchedAsWords()
    {
        await AddPastAsync("c-1", 1);
        await SayAsync("c-1", Tricky);

        Assert.Equal(["c-1"], await FindAsync(new HistoryQuery { Text = "\"quoted\" bold" }));
        await Store.SearchHistoryAsync(new HistoryQuery { Text = Tricky });
        await Store.SearchHistoryAsync(new HistoryQuery { Text = "NEAR(a b) OR -x* ^y \" : ( " });
    }

    [Fact]
    public async Task SearchHistoryAsync_EachFilter_NarrowsTheList()
    {
        await AddPastAsync("c-billing", 10, c => c with { Topic = "billing", AgentId = "a-1", AgentName = "Bo", Rating = 5 });
        await AddPastAsync("c-mayday", 20, c => c with { Mode = HelpMode.Mayday, AgentId = "a-2", AgentName = "Cy", Rating = 2 });
        await AddPastAsync("c-call", 30, c => c with { Status = ConversationStatus.Cancelled });
        await SayAsync("c-call", CallRules.StartedNotice("Bo", CallProfile.Voice), MessageKind.System, null);
        await SayAsync("c-billing", "The call ended after 2 minutes.", MessageKind.System, null);

        Assert.Equal(["c-call", "c-mayday", "c-billing"], await FindAsync(new HistoryQuery()));
        Assert.Equal(["c-billing"], await FindAsync(new HistoryQuery { Topic = "billing" }));
        Assert.Equal(["c-mayday"], await FindAsync(new HistoryQuery { AgentId = "a-2" }));
        Assert.Equal(["c-call"], await FindAsync(new HistoryQuery { Status = ConversationStatus.Cancelled }));
        Assert.Equal(["c-mayday"], await FindAsync(new HistoryQuery { From = T0.AddMinutes(20), To = T0.AddMinutes(30) }));
        Assert.Equal(["c-billing"], await FindAsync(new HistoryQuery { Rating = 5 }));
        Assert.Equal(["c-mayday"], await FindAsync(new HistoryQuery { Mode = HistoryMode.Mayday }));
        Assert.Equal(["c-call", "c-billing"], await FindAsync(new HistoryQuery { Mode = HistoryMode.Chat }));
        Assert.Equal(["c-call"], await FindAsync(new HistoryQuery { Mode = HistoryMode.Call }));
        Assert.Empty(await FindAsync(new HistoryQuery { Topic = "billing", Rating = 2 }));
    }

    [Fact]
    public async Task SearchHistoryAsync_ForAParticipant_ListsWhatTheyHeldOrWroteIn()
    {
        await AddPastAsync("c-held", 1, c => c with { AgentId = "a-1", AgentName = "Bo" });
        await AddPastAsync("c-handed-on", 2, c => c with { AgentId = "a-2", AgentName = "Cy" });
        await SayAsync("c-handed-on", "Passing you to billing", MessageKind.Agent, "a-1");
        await AddPastAsync("c-someone-else", 3, c => c with { AgentId = "a-2", AgentName = "Cy" });
        await SayAsync("c-someone-else", "Hello", MessageKind.Agent, "a-2");

        Assert.Equal(["c-handed-on", "c-held"], await FindAsync(new HistoryQuery { ParticipantId = "a-1" }));
        Assert.Equal(["c-someone-else", "c-handed-on"], await FindAsync(new HistoryQuery { ParticipantId = "a-2" }));
    }

    [Fact]
    public async Task SearchHistoryAsync_PagesNewestFirst_WithoutDuplicates_EvenWhenNewOnesArrive()
    {
        // Two pairs share a start time: the id breaks the tie.
        int[] minutes = [1, 2, 2, 3, 4, 4, 5];
        for (var i = 0; i < minutes.Length; i++)
        {
            await AddPastAsync($"c-{i}", minutes[i]);
        }

        var seen = new List<string>();
        var query = new HistoryQuery { Limit = 3 };
        var pages = 0;
        while (true)
        {
            var page = await Store.SearchHistoryAsync(query);
            seen.AddRange(page.Entries.Select(e => e.Conversation.Id));
            pages++;
            if (pages == 1)
            {
                await AddPastAsync("c-newer", 60);
            }
            if (page.Next is null)
            {
                break;
            }
            Assert.Equal(page.Next, HistoryCursor.Parse(page.Next.ToString()));
            query = query with { After = HistoryCursor.Parse(page.Next.ToString()) };
        }

        Assert.Equal(3, pages);
        Assert.Equal(["c-6", "c-5", "c-4", "c-3", "c-2", "c-1", "c-0"], seen);
    }
}
