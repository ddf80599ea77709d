using LiveHelp.Core;
using LiveHelp.Core.Accounts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Persistence.Tests;

/// <summary>
/// What every <see cref="IConversationStore"/> must do, whatever the database. A store implementation gets the
/// whole suite by deriving from this class and saying how to make a fresh store and a second instance on it.
/// </summary>
public abstract partial class ConversationStoreBehaviour : IAsyncLifetime
{
    /// <summary>Leading and trailing blanks, line breaks, markup, SQL, format strings, emoji, combining marks, RTL.</summary>
    protected const string Tricky =
        "  <script>alert('x')</script> &amp; <b onclick=\"y()\">bold</b> \"quoted\" 'single' `tick` \\back\\slash"
        + " '); DROP TABLE messages; -- {{x}} ${y} %s {0}\r\n\ttab 😀👩‍💻🇫🇷 e\u0301 \u200B עברית ﷺ 中文  ";

    /// <summary>
    /// Timestamps with sub-microsecond ticks and several offsets, so lossy storage shows. As instants
    /// T0 &lt; T1 &lt; T2, although their local clock readings are in another order.
    /// </summary>
    protected static readonly DateTimeOffset T0 =
        new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.FromHours(5.5)).AddTicks(5_358_979);

    protected static readonly DateTimeOffset T1 =
        new DateTimeOffset(2025, 3, 14, 4, 30, 0, TimeSpan.FromHours(-7)).AddTicks(1);

    protected static readonly DateTimeOffset T2 =
        new DateTimeOffset(2025, 3, 15, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999);

    private IConversationStore? store;

    /// <summary>The store under test: fresh and initialised for each test.</summary>
    protected IConversationStore Store => store ?? throw new InvalidOperationException("The store is not created yet.");

    /// <summary>A fresh, initialised store on a new, empty database.</summary>
    protected abstract Task<IConversationStore> CreateStoreAsync();

    /// <summary>
    /// Another, independent, initialised store instance on the database of <see cref="Store"/>, as a second node
    /// or a restarted process would open it.
    /// </summary>
    protected abstract Task<IConversationStore> OpenSameDatabaseAsync();

    /// <summary>Runs SQL straight on the database of <see cref="Store"/>, behind the store's back.</summary>
    protected abstract Task ExecuteSqlAsync(string sql);

    /// <summary>
    /// Holds appends to the conversation back, as another writer's open transaction would, until disposed: the
    /// appends made meanwhile pile up and then go at once.
    /// </summary>
    protected abstract Task<IAsyncDisposable> HoldWritesAsync(string conversationId);

    public async Task InitializeAsync() => store = await CreateStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    // ---- initialisation

    [Fact]
    public async Task InitializeAsync_CalledAgain_KeepsData()
    {
        await Store.GetOrAddSettingAsync("k", "v");
        var conversation = await AddConversationAsync();

        await Store.InitializeAsync();
        await Store.InitializeAsync();

        Assert.Equal("v", await Store.GetOrAddSettingAsync("k", "other"));
        Assert.NotNull(await Store.FindConversationAsync(conversation.Id));
    }

    [Fact]
    public async Task InitializeAsync_OnAMigratedDatabase_FromTwoInstancesAtOnce_Succeeds()
    {
        var other = await OpenSameDatabaseAsync();

        await Task.WhenAll(
            Task.Run(() => Store.InitializeAsync()),
            Task.Run(() => other.InitializeAsync()),
            Task.Run(() => Store.InitializeAsync()),
            Task.Run(() => other.InitializeAsync()));

        Assert.Equal("v", await other.GetOrAddSettingAsync("k", "v"));
        Assert.Equal("v", await Store.GetOrAddSettingAsync("k", "w"));
    }

    // ---- settings

    [Fact]
    public async Task SetSetting_ReplacesTheValueAndFindSettingReadsIt()
    {
        Assert.Null(await Store.FindSettingAsync("allowed-origins"));
        await Store.SetSettingAsync("allowed-origins", "[\"https://a.example\"]");
        await Store.SetSettingAsync("allowed-origins", "[\"https://b.example\"]");

        Assert.Equal("[\"https://b.example\"]", await Store.FindSettingAsync("allowed-origins"));
        Assert.Equal("[\"https://b.example\"]", await Store.GetOrAddSettingAsync("allowed-origins", "ignored"));
    }

    [Fact]
    public async Task GetOrAddSetting_StoresTheFirstValueAndKeepsIt()
    {
        Assert.Equal("first", await Store.GetOrAddSettingAsync("signing-key", "first"));
        Assert.Equal("first", await Store.GetOrAddSettingAsync("signing-key", "second"));
        Assert.Equal("other", await Store.GetOrAddSettingAsync("another-key", "other"));
        Assert.Equal("", await Store.GetOrAddSettingAsync("empty", ""));
        Assert.Equal("", await Store.GetOrAddSettingAsync("empty", "not empty"));
    }

    [Fact]
    public async Task GetOrAddSetting_RacingCallersOnTwoInstances_AllGetTheSameValue()
    {
        var other = await OpenSameDatabaseAsync();
        var candidates = Enumerable.Range(0, 40).Select(i => $"value-{i}").ToArray();

        var results = await Task.WhenAll(candidates.Select((value, i) =>
            Task.Run(() => (i % 2 == 0 ? Store : other).GetOrAddSettingAsync("race", value))));

        var winner = Assert.Single(results.Distinct());
        Assert.Contains(winner, candidates);
        Assert.Equal(winner, await Store.GetOrAddSettingAsync("race", "late"));
    }

    // ---- agents

    [Fact]
    public async Task Agent_RoundTripsEveryField()
    {
        var agent = NewAgent("ana") with
        {
            Skills = ["billing", "devices", Tricky],
            MaxConcurrent = 7,
            AutoAccept = true,
            Disabled = true,
            CreatedAt = T0,
        };

        Assert.True(await Store.TryAddAgentAsync(agent));

        AssertAgent(agent, await Store.FindAgentAsync(agent.Id));
        AssertAgent(agent, await Store.FindAgentByUsernameAsync("ana"));
    }

    [Fact]
    public async Task Agent_WithoutSkills_RoundTripsAnEmptyList()
    {
        var agent = NewAgent("bo") with { Skills = [], AutoAccept = false, Disabled = false, CreatedAt = T1 };

        Assert.True(await Store.TryAddAgentAsync(agent));

        var stored = await Store.FindAgentAsync(agent.Id);
        AssertAgent(agent, stored);
        Assert.Empty(stored!.Skills);
    }

    [Fact]
    public async Task TryAddAgent_UsernameTakenInAnotherCase_ReturnsFalseAndKeepsTheFirst()
    {
        var first = NewAgent("Support.Lead");
        Assert.True(await Store.TryAddAgentAsync(first));

        var second = NewAgent("SUPPORT.lead") with { DisplayName = "Impostor" };
        Assert.False(await Store.TryAddAgentAsync(second));
        Assert.False(await Store.TryAddAgentAsync(NewAgent("support.lead")));

        Assert.Null(await Store.FindAgentAsync(second.Id));
        var agents = await Store.ListAgentsAsync();
        AssertAgent(first, Assert.Single(agents));
    }

    [Fact]
    public async Task TryAddAgent_NonAsciiUsername_IsUniqueIgnoringCase()
    {
        var first = NewAgent("Élodie");
        Assert.True(await Store.TryAddAgentAsync(first));

        Assert.False(await Store.TryAddAgentAsync(NewAgent("éLODIE")));
        AssertAgent(first, await Store.FindAgentByUsernameAsync("ÉLODIE"));
        AssertAgent(first, await Store.FindAgentByUsernameAsync("élodie"));
    }

    [Fact]
    public async Task FindAgentByUsername_IgnoresCase_AndStoresTheUsernameAsGiven()
    {
        var agent = NewAgent("MixedCase");
        Assert.True(await Store.TryAddAgentAsync(agent));

        var stored = await Store.FindAgentByUsernameAsync("mixedcase");

        Assert.Equal("MixedCase", stored?.Username);
        Assert.Null(await Store.FindAgentByUsernameAsync("mixedcase2"));
    }

    [Fact]
    public async Task FindAgent_Unknown_ReturnsNull()
    {
        Assert.Null(await Store.FindAgentAsync("nobody"));
        Assert.Null(await Store.FindAgentByUsernameAsync("nobody"));
    }

    [Fact]
    public async Task UpdateAgent_ChangesEveryField_IncludingTheUsername()
    {
        var agent = NewAgent("old.name");
        Assert.True(await Store.TryAddAgentAsync(agent));
        var changed = agent with
        {
            Username = "New.Name",
            DisplayName = "New display",
            PasswordHash = "hash-2",
            Role = Roles.Supervisor,
            Skills = ["returns"],
            MaxConcurrent = 1,
            AutoAccept = true,
            Disabled = true,
            CreatedAt = T2,
        };

        await Store.UpdateAgentAsync(changed);

        AssertAgent(changed, await Store.FindAgentAsync(agent.Id));
        AssertAgent(changed, await Store.FindAgentByUsernameAsync("new.name"));
        Assert.Null(await Store.FindAgentByUsernameAsync("old.name"));
        Assert.True(await Store.TryAddAgentAsync(NewAgent("OLD.NAME")));
    }

    [Fact]
    public async Task UpdateAgent_ToAUsernameTakenByAnother_ThrowsConflictAndChangesNothing()
    {
        var ana = NewAgent("ana");
        var bo = NewAgent("bo");
        Assert.True(await Store.TryAddAgentAsync(ana));
        Assert.True(await Store.TryAddAgentAsync(bo));

        var error = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.UpdateAgentAsync(bo with { Username = "ANA", DisplayName = "changed" }));

        Assert.Equal(ErrorCodes.Conflict, error.Code);
        AssertAgent(bo, await Store.FindAgentAsync(bo.Id));
    }

    [Fact]
    public async Task UpdateAgent_Unknown_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<LiveHelpException>(() => Store.UpdateAgentAsync(NewAgent("ghost")));

        Assert.Equal(ErrorCodes.NotFound, error.Code);
        Assert.Empty(await Store.ListAgentsAsync());
    }

    [Fact]
    public async Task ListAgents_ReturnsEveryAgent()
    {
        var agents = new[] { NewAgent("carla"), NewAgent("ana"), NewAgent("Bo") };
        foreach (var agent in agents)
        {
            Assert.True(await Store.TryAddAgentAsync(agent));
        }

        var listed = await Store.ListAgentsAsync();

        Assert.Equal(
            agents.Select(a => a.Id).Order(StringComparer.Ordinal),
            listed.Select(a => a.Id).Order(StringComparer.Ordinal));
        foreach (var agent in agents)
        {
            AssertAgent(agent, listed.Single(a => a.Id == agent.Id));
        }
    }

    // ---- topics

    [Fact]
    public async Task UpsertTopic_InsertsThenReplaces()
    {
        Assert.Empty(await Store.ListTopicsAsync());

        await Store.UpsertTopicAsync(new Topic("billing", "Billing", "billing"));
        await Store.UpsertTopicAsync(new Topic("devices", Tricky, "hardware"));
        await Store.UpsertTopicAsync(new Topic("billing", "Payments & refunds", "payments"));

        var topics = await Store.ListTopicsAsync();
        Assert.Equal(2, topics.Count);
        Assert.Contains(new Topic("billing", "Payments & refunds", "payments"), topics);
        Assert.Contains(new Topic("devices", Tricky, "hardware"), topics);
    }

    // ---- visitors

    [Fact]
    public async Task Visitor_RoundTrips_KeepingNullAndEmptyApart()
    {
        var full = new Visitor { Id = "v-full", UserId = "user-42", Name = Tricky, Email = "a@example.com", CreatedAt = T0 };
        var nulls = new Visitor { Id = "v-nulls", CreatedAt = T1 };
        var empties = new Visitor { Id = "v-empty", UserId = "", Name = "", Email = "", CreatedAt = T2 };

        await Store.AddVisitorAsync(full);
        await Store.AddVisitorAsync(nulls);
        await Store.AddVisitorAsync(empties);

        AssertVisitor(full, await Store.FindVisitorAsync("v-full"));
        AssertVisitor(nulls, await Store.FindVisitorAsync("v-nulls"));
        AssertVisitor(empties, await Store.FindVisitorAsync("v-empty"));
        Assert.Null(await Store.FindVisitorAsync("v-unknown"));
    }

    [Fact]
    public async Task FindVisitorByUserId_FindsTheLinkedVisitor()
    {
        var linked = new Visitor { Id = "v-1", UserId = "user-1", CreatedAt = T0 };
        await Store.AddVisitorAsync(linked);
        await Store.AddVisitorAsync(new Visitor { Id = "v-2", UserId = "user-2", CreatedAt = T0 });
        await Store.AddVisitorAsync(new Visitor { Id = "v-3", CreatedAt = T0 });

        AssertVisitor(linked, await Store.FindVisitorByUserIdAsync("user-1"));
        Assert.Null(await Store.FindVisitorByUserIdAsync("USER-1"));
        Assert.Null(await Store.FindVisitorByUserIdAsync("user-9"));
    }

    [Fact]
    public async Task AddVisitor_DuplicateId_ThrowsConflict()
    {
        await Store.AddVisitorAsync(new Visitor { Id = "v-1", Name = "first", CreatedAt = T0 });

        var error = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AddVisitorAsync(new Visitor { Id = "v-1", Name = "second", CreatedAt = T1 }));

        Assert.Equal(ErrorCodes.Conflict, error.Code);
        Assert.Equal("first", (await Store.FindVisitorAsync("v-1"))?.Name);
    }

    [Fact]
    public async Task UpdateVisitor_ChangesEveryField()
    {
        var visitor = new Visitor { Id = "v-1", CreatedAt = T0 };
        await Store.AddVisitorAsync(visitor);
        var linked = visitor with { UserId = "user-7", Name = "Ana", Email = "ana@example.com", CreatedAt = T1 };

        await Store.UpdateVisitorAsync(linked);

        AssertVisitor(linked, await Store.FindVisitorAsync("v-1"));
        AssertVisitor(linked, await Store.FindVisitorByUserIdAsync("user-7"));

        var unlinked = linked with { UserId = null, Name = null, Email = "" };
        await Store.UpdateVisitorAsync(unlinked);
        AssertVisitor(unlinked, await Store.FindVisitorAsync("v-1"));
        Assert.Null(await Store.FindVisitorByUserIdAsync("user-7"));
    }

    [Fact]
    public async Task UpdateVisitor_Unknown_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.UpdateVisitorAsync(new Visitor { Id = "ghost", CreatedAt = T0 }));

        Assert.Equal(ErrorCodes.NotFound, error.Code);
        Assert.Null(await Store.FindVisitorAsync("ghost"));
    }

    // ---- conversations

    [Fact]
    public async Task Conversation_WithEveryField_RoundTrips()
    {
        var conversation = FullConversation("c-full");

        await Store.AddConversationAsync(conversation);

        AssertConversation(conversation, await Store.FindConversationAsync("c-full"));
    }

    [Fact]
    public async Task Conversation_WithOnlyRequiredFields_RoundTrips()
    {
        var conversation = new Conversation { Id = "c-min", VisitorId = "v-1", Topic = "" };

        await Store.AddConversationAsync(conversation);

        var stored = await Store.FindConversationAsync("c-min");
        AssertConversation(conversation, stored);
        Assert.Equal(new PreQualification(), stored!.PreQualification);
        Assert.Null(stored.AgentId);
        Assert.Null(stored.FirstAssignedAt);
        Assert.Null(stored.Rating);
        Assert.Equal(default, stored.CreatedAt);
    }

    [Fact]
    public async Task PreQualification_KeepsNullAndEmptyStringsApart()
    {
        var conversation = NewConversation("c-1") with
        {
            PreQualification = new PreQualification
            {
                Details = "",
                Name = null,
                Email = "",
                PageUrl = null,
                OrderId = " ",
                DeviceModel = null,
                DeviceOs = "",
                AppVersion = null,
            },
        };

        await Store.AddConversationAsync(conversation);

        var stored = await Store.FindConversationAsync("c-1");
        Assert.Equal(conversation.PreQualification, stored?.PreQualification);
        Assert.Equal("", stored!.PreQualification.Details);
        Assert.Null(stored.PreQualification.Name);
        Assert.Equal(" ", stored.PreQualification.OrderId);
    }

    [Fact]
    public async Task FindConversation_Unknown_ReturnsNull()
    {
        Assert.Null(await Store.FindConversationAsync("nothing"));
    }

    [Fact]
    public async Task AddConversation_DuplicateId_ThrowsConflictAndKeepsTheFirst()
    {
        var first = NewConversation("c-1");
        await Store.AddConversationAsync(first);

        var error = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AddConversationAsync(NewConversation("c-1") with { Topic = "other" }));

        Assert.Equal(ErrorCodes.Conflict, error.Code);
        AssertConversation(first, await Store.FindConversationAsync("c-1"));
    }

    [Fact]
    public async Task TryUpdateConversation_FromTheCurrentCopy_StoresItWithTheNextVersion()
    {
        var conversation = NewConversation("c-1");
        await Store.AddConversationAsync(conversation);
        var current = (await Store.FindConversationAsync("c-1"))!;
        var changed = FullConversation("c-1") with { Version = current.Version };

        var updated = await Store.TryUpdateConversationAsync(changed);

        var expected = changed with { Version = current.Version + 1 };
        AssertConversation(expected, updated);
        AssertConversation(expected, await Store.FindConversationAsync("c-1"));
    }

    [Fact]
    public async Task TryUpdateConversation_FromAStaleCopy_IsRefusedAndTheStoredCopyIsUnchanged()
    {
        await Store.AddConversationAsync(NewConversation("c-1"));
        var copy = (await Store.FindConversationAsync("c-1"))!;
        var first = await Store.TryUpdateConversationAsync(copy with { Status = ConversationStatus.Active, AgentId = "a-1" });
        Assert.NotNull(first);

        var stale = await Store.TryUpdateConversationAsync(copy with { Status = ConversationStatus.Cancelled, AgentId = "a-2" });

        Assert.Null(stale);
        var stored = await Store.FindConversationAsync("c-1");
        AssertConversation(first, stored);
        Assert.Equal(ConversationStatus.Active, stored!.Status);
        Assert.Equal("a-1", stored.AgentId);
        Assert.Equal(copy.Version + 1, stored.Version);
    }

    [Fact]
    public async Task TryUpdateConversation_ChainOfUpdates_EachNeedsTheLatestVersion()
    {
        await Store.AddConversationAsync(NewConversation("c-1"));
        var copy = (await Store.FindConversationAsync("c-1"))!;

        for (var i = 1; i <= 5; i++)
        {
            copy = await Store.TryUpdateConversationAsync(copy with { AgentName = $"agent {i}" });
            Assert.NotNull(copy);
            Assert.Equal(i, copy.Version);
        }

        Assert.Null(await Store.TryUpdateConversationAsync(copy! with { Version = 4 }));
        Assert.Null(await Store.TryUpdateConversationAsync(copy! with { Version = 6 }));
        Assert.Equal("agent 5", (await Store.FindConversationAsync("c-1"))?.AgentName);
    }

    [Fact]
    public async Task TryUpdateConversation_Unknown_ReturnsNull()
    {
        Assert.Null(await Store.TryUpdateConversationAsync(NewConversation("ghost")));
        Assert.Null(await Store.FindConversationAsync("ghost"));
    }

    [Fact]
    public async Task TryUpdateConversation_NeverLowersReadMarks()
    {
        await Store.AddConversationAsync(NewConversation("c-1"));
        await AppendMessagesAsync("c-1", 8);
        var copy = (await Store.FindConversationAsync("c-1"))!;
        await Store.MarkReadAsync("c-1", byCustomer: true, 8);
        await Store.MarkReadAsync("c-1", byCustomer: false, 5);

        var updated = await Store.TryUpdateConversationAsync(copy with { CustomerReadSeq = 3, AgentReadSeq = 9 });

        Assert.NotNull(updated);
        Assert.Equal(8, updated.CustomerReadSeq);
        Assert.Equal(9, updated.AgentReadSeq);
    }

    [Fact]
    public async Task MoveConversations_GivesAllOfOneVisitorsConversationsToAnother_AndStaleCopiesAreRefused()
    {
        await Store.AddConversationAsync(NewConversation("c-a", "v-anon", createdAt: T1, status: ConversationStatus.Closed));
        await Store.AddConversationAsync(NewConversation("c-b", "v-anon", createdAt: T2));
        await Store.AddConversationAsync(NewConversation("c-known", "v-user", createdAt: T0, status: ConversationStatus.Closed));
        await Store.AddConversationAsync(NewConversation("c-other", "v-other", createdAt: T0));
        var stale = (await Store.FindConversationAsync("c-a"))!;

        await Store.MoveConversationsAsync("v-anon", "v-user");

        Assert.Equal(["c-b", "c-a", "c-known"], (await Store.ListConversationsByVisitorAsync("v-user")).Select(c => c.Id));
        Assert.Empty(await Store.ListConversationsByVisitorAsync("v-anon"));
        Assert.Equal(["c-other"], (await Store.ListConversationsByVisitorAsync("v-other")).Select(c => c.Id));
        Assert.Null(await Store.TryUpdateConversationAsync(stale with { Rating = 5 }));
    }

    [Fact]
    public async Task MoveConversations_WhenBothVisitorsHaveAnOpenConversation_LeavesTheMovedVisitorsOpenOneWhereItIs()
    {
        await Store.AddConversationAsync(NewConversation("c-anon-old", "v-anon", createdAt: T0, status: ConversationStatus.Closed));
        await Store.AddConversationAsync(NewConversation("c-anon-open", "v-anon", createdAt: T1));
        await Store.AddConversationAsync(NewConversation("c-user-open", "v-user", createdAt: T2, status: ConversationStatus.Active));

        await Store.MoveConversationsAsync("v-anon", "v-user");

        Assert.Equal(["c-user-open", "c-anon-old"], (await Store.ListConversationsByVisitorAsync("v-user")).Select(c => c.Id));
        Assert.Equal(["c-anon-open"], (await Store.ListConversationsByVisitorAsync("v-anon")).Select(c => c.Id));
    }

    [Fact]
    public async Task AddConversation_ForAVisitorWithAnOpenConversation_StoresNothingAndReturnsTheOpenOne()
    {
        var closed = NewConversation("c-closed", "v-1", createdAt: T0, status: ConversationStatus.Closed);
        var open = NewConversation("c-open", "v-1", createdAt: T1);

        Assert.Equal("c-closed", (await Store.AddConversationAsync(closed)).Id);
        Assert.Equal("c-open", (await Store.AddConversationAsync(open)).Id);
        var again = await Store.AddConversationAsync(NewConversation("c-again", "v-1", createdAt: T2));
        var closedAgain = await Store.AddConversationAsync(NewConversation("c-closed-2", "v-1", createdAt: T2, status: ConversationStatus.Closed));

        AssertConversation(open, again);
        Assert.Equal("c-closed-2", closedAgain.Id);
        Assert.Null(await Store.FindConversationAsync("c-again"));
        Assert.Equal(["c-closed-2", "c-open", "c-closed"], (await Store.ListConversationsByVisitorAsync("v-1")).Select(c => c.Id));
    }

    [Fact]
    public async Task AddConversation_TwoInstancesCreatingForOneVisitorAtOnce_LeaveOneOpenConversation()
    {
        var other = await OpenSameDatabaseAsync();

        // Several rounds, as one round of racers may happen not to overlap.
        for (var round = 0; round < 10; round++)
        {
            var visitor = $"v-{round}";
            var results = await Task.WhenAll(
                Task.Run(() => Store.AddConversationAsync(NewConversation($"c-{round}-a", visitor))),
                Task.Run(() => other.AddConversationAsync(NewConversation($"c-{round}-b", visitor))));

            Assert.Equal(results[0].Id, results[1].Id);
            Assert.Equal([results[0].Id], (await Store.ListConversationsByVisitorAsync(visitor)).Select(c => c.Id));
        }
    }

    [Fact]
    public async Task InitializeAsync_OnDataWithSeveralOpenConversationsPerVisitor_ClosesAllButTheHeldOrNewestOne()
    {
        await Store.AddConversationAsync(NewConversation("c-held", "v-1", createdAt: T0, status: ConversationStatus.Active));
        await Store.AddConversationAsync(NewConversation("c-later", "v-1b", createdAt: T2));
        await Store.AddConversationAsync(NewConversation("c-old", "v-2", createdAt: T0));
        await Store.AddConversationAsync(NewConversation("c-new", "v-2b", createdAt: T1));
        await Store.AddConversationAsync(NewConversation("c-alone", "v-3", createdAt: T0));
        // As data written before one open conversation per visitor was a rule of the store: two nodes raced.
        await ExecuteSqlAsync("""
            DROP INDEX ux_conversations_open_visitor;
            DROP TABLE routing_seats; DROP TABLE routing_nodes; DROP TABLE routing_connections;
            DROP TABLE routing_requests; DROP TABLE routing_passed_over; DROP TABLE routing_holds;
            DROP TABLE attachments; ALTER TABLE messages DROP COLUMN attachment;
            DROP TABLE customer_connections; ALTER TABLE conversations DROP COLUMN customer_presence;
            ALTER TABLE conversations DROP COLUMN customer_presence_at; ALTER TABLE conversations DROP COLUMN customer_presence_at_offset;
            ALTER TABLE conversations DROP COLUMN customer_left_told;
            DELETE FROM schema_version WHERE version > 1;
            UPDATE conversations SET visitor_id = 'v-1' WHERE id = 'c-later';
            UPDATE conversations SET visitor_id = 'v-2' WHERE id = 'c-new';
            """);

        await Store.InitializeAsync();

        Assert.Equal(["c-alone", "c-held", "c-new"], (await Store.ListOpenConversationsAsync()).Select(c => c.Id).Order());
        foreach (var id in new[] { "c-later", "c-old" })
        {
            var closed = await Store.FindConversationAsync(id);
            Assert.Equal(ConversationStatus.Closed, closed!.Status);
            Assert.NotNull(closed.ClosedAt);
        }
        Assert.Equal("c-held", (await Store.AddConversationAsync(NewConversation("c-third", "v-1"))).Id);
    }

    [Fact]
    public async Task ListConversationsByVisitor_NewestFirst_OnlyThatVisitor()
    {
        await Store.AddConversationAsync(NewConversation("c-old", "v-1", createdAt: T1, status: ConversationStatus.Cancelled));
        await Store.AddConversationAsync(NewConversation("c-new", "v-1", createdAt: T2));
        await Store.AddConversationAsync(NewConversation("c-mid", "v-1", createdAt: T0, status: ConversationStatus.Closed));
        await Store.AddConversationAsync(NewConversation("c-other", "v-2", createdAt: T2));

        var listed = await Store.ListConversationsByVisitorAsync("v-1");

        Assert.Equal(["c-new", "c-old", "c-mid"], listed.Select(c => c.Id));
        Assert.Empty(await Store.ListConversationsByVisitorAsync("v-9"));
    }

    [Fact]
    public async Task ListOpenConversations_QueuedAndActiveOnly_OldestFirstByInstant()
    {
        var noon = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        await Store.AddConversationAsync(NewConversation("c-queued-late", createdAt: noon.AddMinutes(10)));
        await Store.AddConversationAsync(NewConversation("c-closed", createdAt: noon.AddMinutes(-60), status: ConversationStatus.Closed));
        await Store.AddConversationAsync(NewConversation("c-cancelled", createdAt: noon.AddMinutes(-50), status: ConversationStatus.Cancelled));
        await Store.AddConversationAsync(NewConversation("c-active", createdAt: noon.ToOffset(TimeSpan.FromHours(9)), status: ConversationStatus.Active));
        await Store.AddConversationAsync(NewConversation("c-queued-early", createdAt: noon.AddMinutes(-30).ToOffset(TimeSpan.FromHours(-10))));
        await Store.AddConversationAsync(NewConversation("c-queued-mid", createdAt: noon.AddTicks(1).ToOffset(TimeSpan.FromHours(-3))));

        var open = await Store.ListOpenConversationsAsync();

        Assert.Equal(["c-queued-early", "c-active", "c-queued-mid", "c-queued-late"], open.Select(c => c.Id));
        AssertExactly(noon.ToOffset(TimeSpan.FromHours(9)), open[1].CreatedAt);
    }

    // ---- messages

    [Fact]
    public async Task AppendMessage_AssignsSeqFromOne_AndEveryFieldRoundTrips()
    {
        var conversation = await AddConversationAsync();
        var first = new Message
        {
            ConversationId = conversation.Id,
            Seq = 99,
            ClientMessageId = "client-1",
            Kind = MessageKind.Customer,
            SenderId = "v-1",
            SenderName = "Ana",
            Text = "Hello",
            SentAt = T0,
        };
        var second = new Message
        {
            ConversationId = conversation.Id,
            Kind = MessageKind.System,
            Text = "",
            SentAt = T1,
        };
        var third = NewMessage(conversation.Id, "a-1", "client-1", MessageKind.Note) with { SenderName = "", SentAt = T2 };

        var (m1, added1) = await Store.AppendMessageAsync(first);
        var (m2, added2) = await Store.AppendMessageAsync(second);
        var (m3, added3) = await Store.AppendMessageAsync(third);

        Assert.True(added1 && added2 && added3);
        Assert.Equal([1L, 2L, 3L], [m1.Seq, m2.Seq, m3.Seq]);
        AssertMessage(first with { Seq = 1 }, m1);
        AssertMessage(second with { Seq = 2 }, m2);
        AssertMessage(third with { Seq = 3 }, m3);

        var stored = await Store.ReadMessagesAsync(conversation.Id, 0, 100);
        Assert.Equal(3, stored.Count);
        AssertMessage(first with { Seq = 1 }, stored[0]);
        AssertMessage(second with { Seq = 2 }, stored[1]);
        AssertMessage(third with { Seq = 3 }, stored[2]);
        Assert.Null(stored[1].ClientMessageId);
        Assert.Null(stored[1].SenderId);
        Assert.Equal("", stored[2].SenderName);
    }

    [Fact]
    public async Task AppendMessage_SameClientIdTwice_StoresOnceAndReturnsTheFirst()
    {
        var conversation = await AddConversationAsync();
        var original = NewMessage(conversation.Id, "v-1", "client-7") with { Text = "first try", SentAt = T0 };
        await Store.AppendMessageAsync(NewMessage(conversation.Id, "v-1", "client-6"));

        var (first, firstAdded) = await Store.AppendMessageAsync(original);
        var (again, againAdded) = await Store.AppendMessageAsync(original with { Text = "retry", SentAt = T2 });

        Assert.True(firstAdded);
        Assert.False(againAdded);
        Assert.Equal(2, first.Seq);
        AssertMessage(first, again);
        Assert.Equal("first try", again.Text);
        AssertExactly(T0, again.SentAt);

        var stored = await Store.ReadMessagesAsync(conversation.Id, 0, 100);
        Assert.Equal([1L, 2L], stored.Select(m => m.Seq));

        var (next, nextAdded) = await Store.AppendMessageAsync(NewMessage(conversation.Id, "v-1", "client-8"));
        Assert.True(nextAdded);
        Assert.Equal(3, next.Seq);
    }

    [Fact]
    public async Task AppendMessage_SameClientIdFromAnotherSender_StoresBoth()
    {
        var conversation = await AddConversationAsync();

        var (customer, customerAdded) = await Store.AppendMessageAsync(NewMessage(conversation.Id, "v-1", "same-id"));
        var (agent, agentAdded) = await Store.AppendMessageAsync(NewMessage(conversation.Id, "a-1", "same-id", MessageKind.Agent));

        Assert.True(customerAdded);
        Assert.True(agentAdded);
        Assert.Equal([1L, 2L], [customer.Seq, agent.Seq]);
        Assert.Equal(2, (await Store.ReadMessagesAsync(conversation.Id, 0, 100)).Count);
    }

    [Fact]
    public async Task FindSentMessage_FindsOnlyThatSendersMessageInThatConversation()
    {
        var one = await AddConversationAsync("c-1");
        var two = await AddConversationAsync("c-2");
        await Store.AppendMessageAsync(NewMessage(one.Id, "v-1", "other-id"));
        var (sent, _) = await Store.AppendMessageAsync(NewMessage(one.Id, "v-1", "same-id") with { Text = "the one" });
        await Store.AppendMessageAsync(NewMessage(one.Id, "a-1", "same-id", MessageKind.Agent));
        await Store.AppendMessageAsync(NewMessage(two.Id, "v-1", "same-id"));

        var found = await Store.FindSentMessageAsync(one.Id, "v-1", "same-id");
        Assert.NotNull(found);

        AssertMessage(sent, found);
        Assert.Equal("the one", found.Text);
        Assert.Null(await Store.FindSentMessageAsync(one.Id, "v-2", "same-id"));
        Assert.Null(await Store.FindSentMessageAsync(one.Id, "v-1", "unknown-id"));
        Assert.Equal(two.Id, (await Store.FindSentMessageAsync(two.Id, "v-1", "same-id"))?.ConversationId);
    }

    [Fact]
    public async Task AppendMessage_SameClientIdInAnotherConversation_StoresBoth()
    {
        var one = await AddConversationAsync("c-1");
        var two = await AddConversationAsync("c-2");

        var (a, addedA) = await Store.AppendMessageAsync(NewMessage(one.Id, "v-1", "same-id"));
        var (b, addedB) = await Store.AppendMessageAsync(NewMessage(two.Id, "v-1", "same-id"));

        Assert.True(addedA && addedB);
        Assert.Equal(1, a.Seq);
        Assert.Equal(1, b.Seq);
    }

    [Fact]
    public async Task AppendMessage_WithoutClientId_IsNeverDeduplicated()
    {
        var conversation = await AddConversationAsync();
        var message = NewMessage(conversation.Id, "v-1", clientMessageId: null) with { SentAt = T0 };

        var (first, firstAdded) = await Store.AppendMessageAsync(message);
        var (second, secondAdded) = await Store.AppendMessageAsync(message);
        var (system, systemAdded) = await Store.AppendMessageAsync(message with { SenderId = null, Kind = MessageKind.System });

        Assert.True(firstAdded && secondAdded && systemAdded);
        Assert.Equal([1L, 2L, 3L], [first.Seq, second.Seq, system.Seq]);
    }

    [Fact]
    public async Task AppendMessage_SystemMessagesWithoutSender_AreDeduplicatedByClientId()
    {
        var conversation = await AddConversationAsync();
        var message = new Message
        {
            ConversationId = conversation.Id,
            ClientMessageId = "joined:a-1",
            Kind = MessageKind.System,
            Text = "Ana joined",
            SentAt = T0,
        };

        var (first, firstAdded) = await Store.AppendMessageAsync(message);
        var (again, againAdded) = await Store.AppendMessageAsync(message);

        Assert.True(firstAdded);
        Assert.False(againAdded);
        Assert.Equal(first.Seq, again.Seq);
        Assert.Single(await Store.ReadMessagesAsync(conversation.Id, 0, 100));
    }

    [Fact]
    public async Task AppendMessage_SeqIsCountedPerConversation()
    {
        var one = await AddConversationAsync("c-1");
        var two = await AddConversationAsync("c-2");

        var seqs = new List<(string, long)>();
        foreach (var id in new[] { one.Id, two.Id, one.Id, one.Id, two.Id })
        {
            var (message, _) = await Store.AppendMessageAsync(NewMessage(id, "v-1", null));
            seqs.Add((id, message.Seq));
        }

        Assert.Equal([("c-1", 1L), ("c-2", 1L), ("c-1", 2L), ("c-1", 3L), ("c-2", 2L)], seqs);
    }

    [Fact]
    public async Task AppendMessage_ToAnUnknownConversation_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AppendMessageAsync(NewMessage("ghost", "v-1", "client-1")));

        Assert.Equal(ErrorCodes.NotFound, error.Code);
        Assert.Empty(await Store.ReadMessagesAsync("ghost", 0, 100));
    }

    [Fact]
    public async Task AppendMessage_200ConcurrentAppendsFromTwoInstances_GetGapFreeUniqueSeqs()
    {
        const int count = 200;
        var conversation = await AddConversationAsync();
        var other = await OpenSameDatabaseAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() =>
            (i % 2 == 0 ? Store : other).AppendMessageAsync(
                NewMessage(conversation.Id, $"sender-{i % 7}", $"client-{i}") with { Text = $"message {i}" }))));

        Assert.All(results, r => Assert.True(r.Added));
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), results.Select(r => r.Message.Seq).Order());

        var stored = await other.ReadMessagesAsync(conversation.Id, 0, count + 10);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), stored.Select(m => m.Seq));
        foreach (var (message, _) in results)
        {
            AssertMessage(message, stored[(int)message.Seq - 1]);
        }
    }

    [Fact]
    public async Task AppendMessage_ConcurrentRetriesOfTheSameClientIds_StoreEachOnce()
    {
        const int distinct = 50;
        var conversation = await AddConversationAsync();
        var other = await OpenSameDatabaseAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, distinct * 3).Select(i => Task.Run(() =>
            (i % 2 == 0 ? Store : other).AppendMessageAsync(NewMessage(conversation.Id, "v-1", $"client-{i % distinct}")))));

        Assert.Equal(distinct, results.Count(r => r.Added));
        foreach (var group in results.GroupBy(r => r.Message.ClientMessageId))
        {
            Assert.Single(group.Select(r => r.Message.Seq).Distinct());
            Assert.Single(group, r => r.Added);
        }

        var stored = await Store.ReadMessagesAsync(conversation.Id, 0, 1000);
        Assert.Equal(Enumerable.Range(1, distinct).Select(i => (long)i), stored.Select(m => m.Seq));
    }

    [Fact]
    public async Task AppendMessage_OpenToSender_StoresTheVisitorsAndTheHoldingAgentsMessages()
    {
        var conversation = await AddHeldConversationAsync("c-1", "v-1", "a-1");

        var (customer, customerAdded) = await Store.AppendMessageAsync(NewMessage(conversation.Id, "v-1", "client-1"), AppendRule.OpenToSender);
        var (agent, agentAdded) = await Store.AppendMessageAsync(NewMessage(conversation.Id, "a-1", "client-1", MessageKind.Agent), AppendRule.OpenToSender);
        var (note, noteAdded) = await Store.AppendMessageAsync(NewMessage(conversation.Id, "a-1", "client-2", MessageKind.Note), AppendRule.OpenToSender);

        Assert.True(customerAdded && agentAdded && noteAdded);
        Assert.Equal([1L, 2L, 3L], [customer.Seq, agent.Seq, note.Seq]);
        Assert.Equal([1L, 2L, 3L], (await Store.ReadMessagesAsync(conversation.Id, 0, 100)).Select(m => m.Seq));
    }

    [Fact]
    public async Task AppendMessage_OpenToSender_FromSomeoneWhoTakesNoPart_IsNotFound_LikeAConversationThatDoesNotExist()
    {
        var conversation = await AddHeldConversationAsync("c-1", "v-1", "a-1");
        var queued = await AddConversationAsync("c-2");

        var strangers = new[]
        {
            NewMessage(conversation.Id, "v-2", "client-1"),
            NewMessage(conversation.Id, "a-2", "client-1", MessageKind.Agent),
            NewMessage(conversation.Id, "a-1", "client-1"),
            NewMessage(conversation.Id, "v-1", "client-1", MessageKind.Agent),
            NewMessage(conversation.Id, null, "client-1", MessageKind.System),
            NewMessage(queued.Id, "a-1", "client-1", MessageKind.Agent),
        };
        var ghost = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AppendMessageAsync(NewMessage("ghost", "v-1", "client-1"), AppendRule.OpenToSender));
        foreach (var message in strangers)
        {
            var refusal = await Assert.ThrowsAsync<LiveHelpException>(() => Store.AppendMessageAsync(message, AppendRule.OpenToSender));
            Assert.Equal(ErrorCodes.NotFound, refusal.Code);
            Assert.Equal(ghost.Message, refusal.Message);
        }

        Assert.Equal(ErrorCodes.NotFound, ghost.Code);
        Assert.Empty(await Store.ReadMessagesAsync(conversation.Id, 0, 100));
        Assert.Empty(await Store.ReadMessagesAsync(queued.Id, 0, 100));
        // A refused append took no number: the next message is the first.
        var (first, _) = await Store.AppendMessageAsync(NewMessage(conversation.Id, "v-1", "client-1"), AppendRule.OpenToSender);
        Assert.Equal(1, first.Seq);
    }

    [Theory]
    [InlineData(ConversationStatus.Closed)]
    [InlineData(ConversationStatus.Cancelled)]
    public async Task AppendMessage_ToAConversationNoLongerOpen_IsRefusedUnlessAnyConversationWillDo(ConversationStatus status)
    {
        var held = await AddHeldConversationAsync("c-1", "v-1", "a-1");
        await AppendMessagesAsync(held.Id, 2);
        Assert.NotNull(await Store.TryUpdateConversationAsync(held with { Status = status }));

        var customer = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AppendMessageAsync(NewMessage(held.Id, "v-1", "client-1"), AppendRule.OpenToSender));
        var agent = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AppendMessageAsync(NewMessage(held.Id, "a-1", "client-1", MessageKind.Agent), AppendRule.OpenToSender));
        var note = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AppendMessageAsync(NewMessage(held.Id, "s-1", "client-1", MessageKind.Note), AppendRule.Open));
        var stranger = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AppendMessageAsync(NewMessage(held.Id, "v-2", "client-1"), AppendRule.OpenToSender));

        Assert.Equal(ErrorCodes.ConversationClosed, customer.Code);
        Assert.Equal(ErrorCodes.ConversationClosed, agent.Code);
        Assert.Equal(ErrorCodes.ConversationClosed, note.Code);
        // Who takes no part learns nothing about the conversation, not even that it closed.
        Assert.Equal(ErrorCodes.NotFound, stranger.Code);
        Assert.Equal([1L, 2L], (await Store.ReadMessagesAsync(held.Id, 0, 100)).Select(m => m.Seq));

        var (system, added) = await Store.AppendMessageAsync(NewMessage(held.Id, null, null, MessageKind.System) with { Text = "Closed." });
        Assert.True(added);
        Assert.Equal(3, system.Seq);
    }

    [Fact]
    public async Task AppendMessage_RetryOfAStoredMessage_ReturnsIt_AfterTheConversationClosedOrChangedHands()
    {
        var held = await AddHeldConversationAsync("c-1", "v-1", "a-1");
        var (customer, _) = await Store.AppendMessageAsync(NewMessage(held.Id, "v-1", "client-1"), AppendRule.OpenToSender);
        var (agent, _) = await Store.AppendMessageAsync(NewMessage(held.Id, "a-1", "client-2", MessageKind.Agent), AppendRule.OpenToSender);
        Assert.NotNull(await Store.TryUpdateConversationAsync(
            held with { Status = ConversationStatus.Closed, AgentId = "a-2" }));

        var (customerAgain, customerAdded) = await Store.AppendMessageAsync(
            NewMessage(held.Id, "v-1", "client-1") with { Text = "retry" }, AppendRule.OpenToSender);
        var (agentAgain, agentAdded) = await Store.AppendMessageAsync(
            NewMessage(held.Id, "a-1", "client-2", MessageKind.Agent) with { Text = "retry" }, AppendRule.OpenToSender);

        Assert.False(customerAdded || agentAdded);
        AssertMessage(customer, customerAgain);
        AssertMessage(agent, agentAgain);
        // The retry of another sender's id is not theirs to see.
        var stranger = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AppendMessageAsync(NewMessage(held.Id, "a-2", "client-2", MessageKind.Agent), AppendRule.OpenToSender));
        Assert.Equal(ErrorCodes.ConversationClosed, stranger.Code);
        Assert.Equal([1L, 2L], (await Store.ReadMessagesAsync(held.Id, 0, 100)).Select(m => m.Seq));
    }

    [Fact]
    public async Task AppendMessage_OpenToSender_WhileTheConversationClosesOnAnotherInstance_StoresNothingAfterTheClose_AndLeavesNoGap()
    {
        const int senders = 40;
        var held = await AddHeldConversationAsync("c-1", "v-1", "a-1");
        var other = await OpenSameDatabaseAsync();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var appends = Enumerable.Range(0, senders).Select(i => Task.Run(async () =>
        {
            var message = i % 2 == 0
                ? NewMessage(held.Id, "v-1", $"client-{i}")
                : NewMessage(held.Id, "a-1", $"client-{i}", MessageKind.Agent);
            if (i >= senders / 2)
            {
                await closed.Task;
            }
            try
            {
                return (Stored: (await (i % 2 == 0 ? Store : other).AppendMessageAsync(message, AppendRule.OpenToSender)).Message, Code: (string?)null, AfterClose: i >= senders / 2);
            }
            catch (LiveHelpException refusal)
            {
                return (Stored: (Message?)null, Code: (string?)refusal.Code, AfterClose: i >= senders / 2);
            }
        })).ToList();
        Assert.NotNull(await other.TryUpdateConversationAsync(held with { Status = ConversationStatus.Closed }));
        closed.SetResult();
        var outcomes = await Task.WhenAll(appends);

        Assert.All(outcomes.Where(o => o.AfterClose), o => Assert.Equal(ErrorCodes.ConversationClosed, o.Code));
        Assert.All(outcomes.Where(o => o.Stored is null), o => Assert.Equal(ErrorCodes.ConversationClosed, o.Code));
        var stored = await Store.ReadMessagesAsync(held.Id, 0, 1000);
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(m => m.Seq));
        Assert.Equal(outcomes.Where(o => o.Stored is not null).Select(o => o.Stored!.Seq).Order(), stored.Select(m => m.Seq));
    }

    [Fact]
    public async Task AppendMessage_ReturnsTheConversationAsTheAppendFoundIt_AfterAHandoverOnAnotherInstance()
    {
        var held = await AddHeldConversationAsync("c-1", "v-1", "a-1");
        var other = await OpenSameDatabaseAsync();
        var (customer, _) = await Store.AppendMessageAsync(NewMessage(held.Id, "v-1", "client-1"), AppendRule.OpenToSender);
        Assert.NotNull(await other.TryUpdateConversationAsync(held with { AgentId = "a-2", AgentName = "Name of a-2" }));

        var handedOver = await Store.AppendMessageAsync(NewMessage(held.Id, "v-1", "client-2"), AppendRule.OpenToSender);
        var retried = await Store.AppendMessageAsync(NewMessage(held.Id, "v-1", "client-1"), AppendRule.OpenToSender);

        // Who is told of the message is who holds the conversation now, not who held it when it was last read.
        Assert.True(handedOver.Added);
        Assert.Equal(("c-1", "v-1", "a-2", ConversationStatus.Active), (handedOver.Conversation.Id, handedOver.Conversation.VisitorId, handedOver.Conversation.AgentId, handedOver.Conversation.Status));
        Assert.False(retried.Added);
        AssertMessage(customer, retried.Message);
        Assert.Equal("a-2", retried.Conversation.AgentId);
        var agentsOld = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AppendMessageAsync(NewMessage(held.Id, "a-1", "client-3", MessageKind.Agent), AppendRule.OpenToSender));
        Assert.Equal(ErrorCodes.NotFound, agentsOld.Code);
    }

    [Fact]
    public async Task AppendMessage_ConcurrentAppendsWithRefusedAndFailingOnes_StoreEveryOtherOne_GapFree()
    {
        const int count = 120;
        var open = await AddHeldConversationAsync("c-1", "v-1", "a-1");
        var closed = await AddHeldConversationAsync("c-2", "v-2", "a-1");
        Assert.NotNull(await Store.TryUpdateConversationAsync(closed with { Status = ConversationStatus.Closed }));

        // Appends made at once may share a transaction: a refused one, or one whose statement fails (no text), must
        // cost the others nothing.
        var hold = await HoldWritesAsync(open.Id);
        var appends = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            var message = (i % 4) switch
            {
                0 => NewMessage(closed.Id, "v-2", $"client-{i}"),
                1 => NewMessage(open.Id, "v-1", $"client-{i}") with { Text = null! },
                2 => NewMessage(open.Id, "v-1", $"client-{i}") with { Text = $"message {i}" },
                _ => NewMessage(open.Id, "a-1", $"client-{i}", MessageKind.Agent) with { Text = $"message {i}" },
            };
            try
            {
                return (Index: i, Appended: await Store.AppendMessageAsync(message, AppendRule.OpenToSender), Failure: (Exception?)null);
            }
            catch (Exception e)
            {
                return (Index: i, Appended: (AppendedMessage?)null, Failure: e);
            }
        })).ToList();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await hold.DisposeAsync();
        var outcomes = await Task.WhenAll(appends);

        Assert.All(outcomes.Where(o => o.Index % 4 == 0), o => Assert.Equal(ErrorCodes.ConversationClosed, Assert.IsType<LiveHelpException>(o.Failure).Code));
        Assert.All(outcomes.Where(o => o.Index % 4 == 1), o => Assert.NotNull(o.Failure));
        var stored = outcomes.Where(o => o.Index % 4 >= 2).ToList();
        Assert.All(stored, o => Assert.True(o.Appended?.Added, o.Failure?.ToString()));
        var read = await Store.ReadMessagesAsync(open.Id, 0, 1000);
        Assert.Equal(Enumerable.Range(1, count / 2).Select(i => (long)i), read.Select(m => m.Seq));
        Assert.Equal(stored.Select(o => o.Appended!.Message.Seq).Order(), read.Select(m => m.Seq));
        foreach (var o in stored)
        {
            AssertMessage(o.Appended!.Message, read[(int)o.Appended.Message.Seq - 1]);
            Assert.Equal($"message {o.Index}", o.Appended.Message.Text);
        }
        Assert.Empty(await Store.ReadMessagesAsync(closed.Id, 0, 1000));
    }

    [Fact]
    public async Task ReadMessages_ReturnsThoseAfterTheGivenSeq_InOrder_UpToTheLimit()
    {
        var conversation = await AddConversationAsync("c-1");
        var otherConversation = await AddConversationAsync("c-2");
        for (var i = 1; i <= 10; i++)
        {
            await Store.AppendMessageAsync(NewMessage(conversation.Id, "v-1", null) with { Text = $"m{i}" });
            await Store.AppendMessageAsync(NewMessage(otherConversation.Id, "v-1", null) with { Text = $"other {i}" });
        }

        Assert.Equal(Seqs(1, 10), (await Store.ReadMessagesAsync("c-1", 0, 100)).Select(m => m.Seq));
        Assert.Equal(Seqs(4, 7), (await Store.ReadMessagesAsync("c-1", 3, 4)).Select(m => m.Seq));
        Assert.Equal(Seqs(9, 10), (await Store.ReadMessagesAsync("c-1", 8, 5)).Select(m => m.Seq));
        Assert.Equal(Seqs(1, 1), (await Store.ReadMessagesAsync("c-1", -5, 1)).Select(m => m.Seq));
        Assert.Empty(await Store.ReadMessagesAsync("c-1", 10, 100));
        Assert.Empty(await Store.ReadMessagesAsync("c-1", 0, 0));
        Assert.Empty(await Store.ReadMessagesAsync("c-unknown", 0, 100));
        Assert.All(await Store.ReadMessagesAsync("c-1", 0, 100), m => Assert.StartsWith("m", m.Text));
        Assert.Equal(["m4", "m5"], (await Store.ReadMessagesAsync("c-1", 3, 2)).Select(m => m.Text));

        static IEnumerable<long> Seqs(long from, long to) => Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i);
    }

    // ---- read marks

    [Fact]
    public async Task MarkRead_OnlyEverRaisesTheMark_OfOneSide_AndSaysWhenItMoved()
    {
        await Store.AddConversationAsync(NewConversation("c-1"));
        await AppendMessagesAsync("c-1", 9);

        Assert.Equal(5, await Store.MarkReadAsync("c-1", byCustomer: true, 5));
        Assert.Null(await Store.MarkReadAsync("c-1", byCustomer: true, 3));
        Assert.Equal(2, await Store.MarkReadAsync("c-1", byCustomer: false, 2));
        Assert.Equal(7, await Store.MarkReadAsync("c-1", byCustomer: false, 7));
        Assert.Null(await Store.MarkReadAsync("c-1", byCustomer: false, 7));
        Assert.Null(await Store.MarkReadAsync("c-1", byCustomer: false, 0));

        var stored = await Store.FindConversationAsync("c-1");
        Assert.Equal(5, stored?.CustomerReadSeq);
        Assert.Equal(7, stored?.AgentReadSeq);
    }

    [Fact]
    public async Task MarkRead_PastTheLastMessage_StopsAtTheLastMessage()
    {
        await Store.AddConversationAsync(NewConversation("c-1"));
        await Store.AddConversationAsync(NewConversation("c-2"));
        await AppendMessagesAsync("c-1", 3);
        await AppendMessagesAsync("c-2", 10);

        Assert.Null(await Store.MarkReadAsync("c-2", byCustomer: true, 0));
        Assert.Equal(3, await Store.MarkReadAsync("c-1", byCustomer: true, 1_000_000_000_000));
        Assert.Null(await Store.MarkReadAsync("c-1", byCustomer: true, long.MaxValue));
        Assert.Equal(3, await Store.MarkReadAsync("c-1", byCustomer: false, 4));

        var stored = await Store.FindConversationAsync("c-1");
        Assert.Equal(3, stored?.CustomerReadSeq);
        Assert.Equal(3, stored?.AgentReadSeq);
        Assert.Equal(0, (await Store.FindConversationAsync("c-2"))?.CustomerReadSeq);
    }

    [Fact]
    public async Task MarkRead_InAConversationWithoutMessages_StaysAtZero()
    {
        await Store.AddConversationAsync(NewConversation("c-1"));

        Assert.Null(await Store.MarkReadAsync("c-1", byCustomer: true, 5));

        Assert.Equal(0, (await Store.FindConversationAsync("c-1"))?.CustomerReadSeq);
    }

    [Fact]
    public async Task MarkRead_DoesNotChangeTheVersion_SoAConcurrentUpdateStillSucceeds()
    {
        await Store.AddConversationAsync(NewConversation("c-1"));
        await AppendMessagesAsync("c-1", 6);
        var copy = (await Store.FindConversationAsync("c-1"))!;

        await Store.MarkReadAsync("c-1", byCustomer: true, 4);
        await Store.MarkReadAsync("c-1", byCustomer: false, 6);

        Assert.Equal(copy.Version, (await Store.FindConversationAsync("c-1"))?.Version);
        var updated = await Store.TryUpdateConversationAsync(copy with { Status = ConversationStatus.Active });
        Assert.NotNull(updated);
        Assert.Equal(ConversationStatus.Active, updated.Status);
        Assert.Equal(4, updated.CustomerReadSeq);
        Assert.Equal(6, updated.AgentReadSeq);
    }

    [Fact]
    public async Task MarkRead_OnAnUnknownConversation_ChangesNothing()
    {
        Assert.Null(await Store.MarkReadAsync("ghost", byCustomer: true, 3));

        Assert.Null(await Store.FindConversationAsync("ghost"));
    }

    // ---- attachments

    [Fact]
    public async Task Attachment_RoundTripsItsBytesAndDetails_AndItsMessageCarriesThem()
    {
        await AddConversationAsync("c-1");
        var bytes = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7)).ToArray();
        var attachment = new Attachment { Id = "a-1", FileName = Tricky, ContentType = "image/png", Size = bytes.Length };
        await Store.AddAttachmentAsync(new AttachmentContent { ConversationId = "c-1", Attachment = attachment, Bytes = bytes, StoredAt = T1 });
        var sent = NewMessage("c-1", "v-1", "m-1") with { Text = Tricky, Attachment = attachment };

        var (stored, _) = await Store.AppendMessageAsync(sent);
        var found = await (await OpenSameDatabaseAsync()).FindAttachmentAsync("c-1", "a-1");

        Assert.NotNull(found);
        Assert.Equal(attachment, found.Attachment);
        Assert.Equal(bytes, found.Bytes);
        Assert.Equal("c-1", found.ConversationId);
        AssertExactly(T1, found.StoredAt);
        AssertMessage(sent with { Seq = 1 }, stored);
        AssertMessage(sent with { Seq = 1 }, Assert.Single(await Store.ReadMessagesAsync("c-1", 0, 10)));
        Assert.Null((await Store.AppendMessageAsync(NewMessage("c-1", "v-1", "m-2"))).Message.Attachment);
    }

    [Fact]
    public async Task FindAttachment_IsFoundOnlyInItsOwnConversation_AndDeleteRemovesIt()
    {
        await AddConversationAsync("c-1");
        await Store.AddConversationAsync(NewConversation("c-2", "v-2"));
        var attachment = new Attachment { Id = "a-1", FileName = "part.jpg", ContentType = "image/jpeg", Size = 3 };
        await Store.AddAttachmentAsync(new AttachmentContent { ConversationId = "c-1", Attachment = attachment, Bytes = [1, 2, 3], StoredAt = T0 });

        Assert.Null(await Store.FindAttachmentAsync("c-2", "a-1"));
        Assert.Null(await Store.FindAttachmentAsync("c-1", "a-2"));
        await Store.DeleteAttachmentAsync("c-1", "a-1");

        Assert.Null(await Store.FindAttachmentAsync("c-1", "a-1"));
    }

    // ---- offline messages

    [Fact]
    public async Task OfflineMessages_RoundTrip_NewestFirst()
    {
        var older = new OfflineMessage
        {
            Id = "o-1",
            VisitorId = "v-1",
            Topic = "billing",
            Name = "Ana",
            Email = "ana@example.com",
            Text = Tricky,
            CreatedAt = T1,
        };
        var newest = new OfflineMessage { Id = "o-2", VisitorId = "v-2", Text = "call me", CreatedAt = T2 };
        var oldest = new OfflineMessage { Id = "o-3", VisitorId = "v-3", Topic = "", Name = "", Email = "", Text = "", CreatedAt = T0 };

        Assert.Empty(await Store.ListOfflineMessagesAsync());
        await Store.AddOfflineMessageAsync(older);
        await Store.AddOfflineMessageAsync(newest);
        await Store.AddOfflineMessageAsync(oldest);

        var listed = await Store.ListOfflineMessagesAsync();

        Assert.Equal(["o-2", "o-1", "o-3"], listed.Select(m => m.Id));
        AssertOfflineMessage(newest, listed[0]);
        AssertOfflineMessage(older, listed[1]);
        AssertOfflineMessage(oldest, listed[2]);
    }

    // ---- durability and text

    [Fact]
    public async Task EverythingWritten_IsSeenByANewStoreInstance()
    {
        var agent = NewAgent("ana") with { Skills = ["billing"], CreatedAt = T0 };
        var visitor = new Visitor { Id = "v-1", UserId = "u-1", Name = "Bo", CreatedAt = T1 };
        var topic = new Topic("billing", "Billing", "billing");
        // The customer's mark starts at zero so that marking the one message below raises it.
        var conversation = FullConversation("c-1") with { CustomerReadSeq = 0 };
        var offline = new OfflineMessage { Id = "o-1", VisitorId = "v-1", Text = "later", CreatedAt = T2 };
        Assert.True(await Store.TryAddAgentAsync(agent));
        await Store.AddVisitorAsync(visitor);
        await Store.UpsertTopicAsync(topic);
        await Store.AddConversationAsync(conversation);
        var (message, _) = await Store.AppendMessageAsync(NewMessage("c-1", "v-1", "client-1") with { SentAt = T0 });
        await Store.MarkReadAsync("c-1", byCustomer: true, 1000);
        await Store.AddOfflineMessageAsync(offline);
        await Store.GetOrAddSettingAsync("key", "value");

        var restarted = await OpenSameDatabaseAsync();

        AssertAgent(agent, await restarted.FindAgentByUsernameAsync("ANA"));
        AssertVisitor(visitor, await restarted.FindVisitorByUserIdAsync("u-1"));
        Assert.Equal([topic], await restarted.ListTopicsAsync());
        AssertConversation(conversation with { CustomerReadSeq = 1 }, await restarted.FindConversationAsync("c-1"));
        AssertConversation(conversation with { CustomerReadSeq = 1 }, Assert.Single(await restarted.ListOpenConversationsAsync()));
        AssertMessage(message, Assert.Single(await restarted.ReadMessagesAsync("c-1", 0, 10)));
        AssertOfflineMessage(offline, Assert.Single(await restarted.ListOfflineMessagesAsync()));
        Assert.Equal("value", await restarted.GetOrAddSettingAsync("key", "other"));

        var (duplicate, added) = await restarted.AppendMessageAsync(NewMessage("c-1", "v-1", "client-1"));
        Assert.False(added);
        Assert.Equal(message.Seq, duplicate.Seq);
        var (next, _) = await restarted.AppendMessageAsync(NewMessage("c-1", "v-1", "client-2"));
        Assert.Equal(message.Seq + 1, next.Seq);
    }

    [Fact]
    public async Task MarkupLikeAndUnicodeText_IsStoredVerbatim()
    {
        Assert.True(await Store.TryAddAgentAsync(NewAgent(Tricky) with { DisplayName = Tricky, Role = Tricky }));
        await Store.AddVisitorAsync(new Visitor { Id = Tricky, Name = Tricky, Email = Tricky, UserId = Tricky, CreatedAt = T0 });
        await Store.AddConversationAsync(NewConversation(Tricky, Tricky) with
        {
            Topic = Tricky,
            PreQualification = new PreQualification { Details = Tricky, PageUrl = Tricky, Name = Tricky },
            RatingComment = Tricky,
        });
        var (message, _) = await Store.AppendMessageAsync(
            NewMessage(Tricky, Tricky, Tricky) with { Text = Tricky, SenderName = Tricky });
        await Store.AddOfflineMessageAsync(new OfflineMessage { Id = Tricky, VisitorId = Tricky, Text = Tricky, CreatedAt = T0 });

        var agent = await Store.FindAgentByUsernameAsync(Tricky);
        Assert.Equal(Tricky, agent?.Username);
        Assert.Equal(Tricky, agent?.DisplayName);
        Assert.Equal(Tricky, (await Store.FindVisitorByUserIdAsync(Tricky))?.Name);
        var conversation = Assert.Single(await Store.ListConversationsByVisitorAsync(Tricky));
        Assert.Equal(Tricky, conversation.Id);
        Assert.Equal(Tricky, conversation.Topic);
        Assert.Equal(Tricky, conversation.PreQualification.Details);
        Assert.Equal(Tricky, conversation.PreQualification.PageUrl);
        Assert.Equal(Tricky, conversation.RatingComment);
        var stored = Assert.Single(await Store.ReadMessagesAsync(Tricky, 0, 10));
        Assert.Equal(Tricky, stored.Text);
        Assert.Equal(Tricky, stored.SenderName);
        Assert.Equal(Tricky, stored.ClientMessageId);
        AssertMessage(message, stored);
        Assert.Equal(Tricky, Assert.Single(await Store.ListOfflineMessagesAsync()).Text);
        Assert.Equal(Tricky, await Store.GetOrAddSettingAsync(Tricky, Tricky));
    }

    [Fact]
    public async Task ExtremeTimestamps_RoundTripExactly()
    {
        var earliest = new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.FromHours(-14)).AddTicks(1).ToOffset(TimeSpan.FromHours(-14));
        var latest = DateTimeOffset.MaxValue.ToOffset(TimeSpan.FromHours(-14));
        var conversation = NewConversation("c-1") with
        {
            CreatedAt = DateTimeOffset.MinValue,
            EnqueuedAt = DateTimeOffset.MaxValue,
            FirstAssignedAt = earliest,
            FirstAgentReplyAt = latest,
            ClosedAt = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.FromMinutes(345)),
        };

        await Store.AddConversationAsync(conversation);

        AssertConversation(conversation, await Store.FindConversationAsync("c-1"));
    }

    [Fact]
    public async Task ACancelledToken_IsHonoured()
    {
        await Store.AddConversationAsync(NewConversation("c-1"));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var ct = cts.Token;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.InitializeAsync(ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.GetOrAddSettingAsync("k", "v", ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.TryAddAgentAsync(NewAgent("ana"), ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.ListAgentsAsync(ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.FindConversationAsync("c-1", ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.ListOpenConversationsAsync(ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Store.AppendMessageAsync(NewMessage("c-1", "v-1", "client-1"), ct: ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.ReadMessagesAsync("c-1", 0, 10, ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.ReadMessagesAsync("c-1", 0, 0, ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.MarkReadAsync("c-1", true, 3, ct));

        Assert.Null(await Store.FindAgentByUsernameAsync("ana"));
        Assert.Empty(await Store.ReadMessagesAsync("c-1", 0, 10));
        Assert.Equal(0, (await Store.FindConversationAsync("c-1"))?.CustomerReadSeq);
    }

    // ---- builders and assertions

    protected static AgentAccount NewAgent(string username) => new()
    {
        Id = "agent-" + Guid.NewGuid().ToString("N"),
        Username = username,
        DisplayName = "Agent " + username,
        PasswordHash = "hash-" + username,
        Role = Roles.Agent,
        Skills = ["general"],
        CreatedAt = T0,
    };

    /// <summary>A conversation; without <paramref name="visitorId"/>, of a visitor of its own (a visitor has one open at most).</summary>
    protected static Conversation NewConversation(
        string id,
        string? visitorId = null,
        DateTimeOffset? createdAt = null,
        ConversationStatus status = ConversationStatus.Queued) => new()
        {
            Id = id,
            VisitorId = visitorId ?? "v-" + id,
            Topic = "general",
            Status = status,
            CreatedAt = createdAt ?? T0,
            EnqueuedAt = createdAt ?? T0,
        };

    protected static Conversation FullConversation(string id) => new()
    {
        Id = id,
        VisitorId = "v-1",
        Topic = "devices",
        Mode = HelpMode.Mayday,
        Status = ConversationStatus.Active,
        PreQualification = new PreQualification
        {
            Details = "Screen stays black",
            Name = "Ana",
            Email = "ana@example.com",
            PageUrl = "https://shop.example.com/orders/42?tab=help#top",
            OrderId = "ORD-42",
            DeviceModel = "Tablet 7",
            DeviceOs = "FireOS 8",
            AppVersion = "3.2.1",
        },
        CreatedAt = T0,
        EnqueuedAt = T1,
        Requeued = true,
        AgentId = "a-1",
        AgentName = "Bo",
        FirstAssignedAt = T1.AddSeconds(3),
        FirstAgentReplyAt = T1.AddTicks(123_456_789),
        ClosedAt = T2,
        ClosedBy = "agent",
        Rating = 5,
        RatingComment = "Quick and kind",
        CustomerReadSeq = 12,
        AgentReadSeq = 11,
        Version = 0,
    };

    protected static Message NewMessage(
        string conversationId, string? senderId, string? clientMessageId, MessageKind kind = MessageKind.Customer) => new()
        {
            ConversationId = conversationId,
            ClientMessageId = clientMessageId,
            Kind = kind,
            SenderId = senderId,
            SenderName = senderId is null ? null : "Name of " + senderId,
            Text = "Hello from " + senderId,
            SentAt = T0,
        };

    /// <summary>Appends <paramref name="count"/> messages, numbered from the conversation's next sequence number.</summary>
    protected async Task AppendMessagesAsync(string conversationId, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Store.AppendMessageAsync(NewMessage(conversationId, "v-1", null));
        }
    }

    /// <summary>An active conversation of <paramref name="visitorId"/> that <paramref name="agentId"/> holds, at version 0.</summary>
    protected async Task<Conversation> AddHeldConversationAsync(string id, string visitorId, string agentId)
    {
        var conversation = NewConversation(id, visitorId, status: ConversationStatus.Active) with { AgentId = agentId, AgentName = "Bo" };
        await Store.AddConversationAsync(conversation);
        return conversation;
    }

    protected async Task<Conversation> AddConversationAsync(string id = "c-1")
    {
        var conversation = NewConversation(id);
        await Store.AddConversationAsync(conversation);
        return conversation;
    }

    /// <summary>Same instant to the tick, and the same offset.</summary>
    protected static void AssertExactly(DateTimeOffset expected, DateTimeOffset actual)
    {
        Assert.Equal(expected.UtcTicks, actual.UtcTicks);
        Assert.Equal(expected.Offset, actual.Offset);
    }

    protected static void AssertExactly(DateTimeOffset? expected, DateTimeOffset? actual)
    {
        Assert.Equal(expected.HasValue, actual.HasValue);
        if (expected is { } e && actual is { } a)
        {
            AssertExactly(e, a);
        }
    }

    protected static void AssertAgent(AgentAccount expected, AgentAccount? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Skills = actual.Skills }, actual);
        Assert.Equal(expected.Skills, actual.Skills);
        AssertExactly(expected.CreatedAt, actual.CreatedAt);
    }

    protected static void AssertVisitor(Visitor expected, Visitor? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected, actual);
        AssertExactly(expected.CreatedAt, actual.CreatedAt);
    }

    protected static void AssertConversation(Conversation expected, Conversation? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected, actual);
        AssertExactly(expected.CreatedAt, actual.CreatedAt);
        AssertExactly(expected.EnqueuedAt, actual.EnqueuedAt);
        AssertExactly(expected.FirstAssignedAt, actual.FirstAssignedAt);
        AssertExactly(expected.FirstAgentReplyAt, actual.FirstAgentReplyAt);
        AssertExactly(expected.ClosedAt, actual.ClosedAt);
    }

    protected static void AssertMessage(Message expected, Message? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected, actual);
        AssertExactly(expected.SentAt, actual.SentAt);
    }

    protected static void AssertOfflineMessage(OfflineMessage expected, OfflineMessage? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected, actual);
        AssertExactly(expected.CreatedAt, actual.CreatedAt);
    }
}
