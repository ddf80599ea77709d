using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;

namespace LiveHelp.Server.Tests;

public sealed class AccountsApiTests : ServerTest
{
    [Fact]
    public async Task Admin_creates_an_agent_with_skills_and_a_cap()
    {
        using var admin = await AdminAsync();

        var response = await admin.Http.PostAsJsonAsync("/api/agents", new
        {
            username = "ann",
            displayName = "Ann Lee",
            password = "ann-secret-password",
            skills = new[] { "billing", "technical" },
            maxConcurrent = 2,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);
        var created = (await response.Content.ReadFromJsonAsync<AgentRow>(Json.Options))!;
        Assert.Equal($"/api/agents/{created.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("ann", created.Username);
        Assert.Equal("Ann Lee", created.DisplayName);
        Assert.Equal(Roles.Agent, created.Role);
        Assert.Equal(["billing", "technical"], created.Skills);
        Assert.Equal(2, created.MaxConcurrent);
        Assert.False(created.Disabled);
        Assert.Equal(AgentStatus.Offline, created.Status);
        Assert.False(created.Connected);
        Assert.Equal(created, (await ListAsync(admin)).Single(a => a.Username == "ann"));

        var ann = await AgentClient.SignInAsync(Host.BaseUri, "ann", "ann-secret-password");
        Track(ann);
        Assert.Equal(created.Id, ann.AgentId);
        Assert.Equal("Ann Lee", ann.DisplayName);
        Assert.Equal(Roles.Agent, ann.Role);
    }

    [Fact]
    public async Task Agent_list_shows_live_status_and_load()
    {
        using var admin = await AdminAsync();
        await Host.CreateAgentAsync("ann", ["general"]);
        var offline = (await ListAsync(admin)).Single(a => a.Username == "ann");
        Assert.Equal((AgentStatus.Offline, 0, false), (offline.Status, offline.Load, offline.Connected));

        var ann = await SignInAsync("ann");
        var online = (await ListAsync(admin)).Single(a => a.Username == "ann");
        Assert.Equal((AgentStatus.Online, 0, true), (online.Status, online.Load, online.Connected));

        var (_, _, first) = await ConversationAsync(ann);
        await ConversationAsync(ann);
        Assert.Equal(2, (await ListAsync(admin)).Single(a => a.Username == "ann").Load);

        await ann.CloseAsync(first);
        await ann.SetStatusAsync(AgentStatus.Away);
        var away = (await ListAsync(admin)).Single(a => a.Username == "ann");
        Assert.Equal((AgentStatus.Away, 1, true), (away.Status, away.Load, away.Connected));
    }

    [Fact]
    public async Task Admin_changes_cap_and_skills_and_routing_follows_at_once()
    {
        using var admin = await AdminAsync();
        var ann = await AgentAsync("ann", ["general"], maxConcurrent: 1);
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);

        var changed = await UpdateAsync(admin, ann.AgentId!, new { skills = new[] { "general", "billing" } });
        Assert.Equal(["general", "billing"], changed.Skills);
        Assert.Equal(1, changed.MaxConcurrent);
        await ConversationAsync(ann, input: Help(topic: "billing"));

        var waiting = await CustomerAsync();
        var second = (await waiting.RequestHelpAsync(Help(topic: "billing"))).Conversation!.Id;
        var queued = Assert.Single(await ann.GetQueueAsync());
        Assert.Equal(second, queued.Conversation.Id);
        Assert.Null(queued.OfferedTo);

        changed = await UpdateAsync(admin, ann.AgentId!, new { maxConcurrent = 2 });
        Assert.Equal(2, changed.MaxConcurrent);
        Assert.Equal(["general", "billing"], changed.Skills);
        Assert.Equal(second, (await offers.NextAsync(o => o.ConversationId == second)).ConversationId);

        var listed = (await ListAsync(admin)).Single(a => a.Username == "ann");
        Assert.Equal((2, false), (listed.MaxConcurrent, listed.Disabled));
        Assert.Equal(["general", "billing"], listed.Skills);
    }

    [Fact]
    public async Task Admin_disables_and_enables_an_agent()
    {
        using var admin = await AdminAsync();
        var annId = await Host.CreateAgentAsync("ann", ["general"]);

        var disabled = await UpdateAsync(admin, annId, new { disabled = true });
        Assert.True(disabled.Disabled);
        Assert.True((await ListAsync(admin)).Single(a => a.Username == "ann").Disabled);
        var refused = await Assert.ThrowsAsync<LiveHelpApiException>(() => AgentClient.SignInAsync(Host.BaseUri, "ann", LiveHelpHost.Password("ann")));
        Assert.Equal(ErrorCodes.Unauthorized, refused.Code);

        var enabled = await UpdateAsync(admin, annId, new { disabled = false });
        Assert.False(enabled.Disabled);
        var ann = await SignInAsync("ann");
        Assert.Equal(annId, ann.AgentId);
        Assert.Equal(RequestHelpStatus.Queued, (await (await CustomerAsync()).RequestHelpAsync(Help())).Status);
    }

    [Fact]
    public async Task Bad_account_changes_are_refused_and_change_nothing()
    {
        using var admin = await AdminAsync();
        var annId = await Host.CreateAgentAsync("ann", ["general"], maxConcurrent: 3);
        var before = (await ListAsync(admin)).Single(a => a.Id == annId);

        Assert.Equal(ErrorCodes.InvalidInput, await CodeAsync(await admin.Http.PutAsJsonAsync($"/api/agents/{annId}", new { maxConcurrent = 0 }), HttpStatusCode.BadRequest));
        Assert.Equal(ErrorCodes.InvalidInput, await CodeAsync(await admin.Http.PutAsJsonAsync($"/api/agents/{annId}", new { username = "anne" }), HttpStatusCode.BadRequest));
        Assert.Equal(ErrorCodes.InvalidInput, await CodeAsync(await admin.Http.PutAsJsonAsync($"/api/agents/{annId}", new { role = "customer" }), HttpStatusCode.BadRequest));
        Assert.Equal(ErrorCodes.InvalidInput, await CodeAsync(await admin.Http.PutAsJsonAsync($"/api/agents/{annId}", new { password = "short" }), HttpStatusCode.BadRequest));
        Assert.Equal(ErrorCodes.InvalidInput, await CodeAsync(await admin.Http.PutAsJsonAsync($"/api/agents/{annId}", new { skills = new[] { " " } }), HttpStatusCode.BadRequest));
        Assert.Equal(ErrorCodes.NotFound, await CodeAsync(await admin.Http.PutAsJsonAsync("/api/agents/a_nobody", new { maxConcurrent = 2 }), HttpStatusCode.NotFound));

        Assert.Equal(before, (await ListAsync(admin)).Single(a => a.Id == annId));
        await Host.SignInAsync("ann", LiveHelpHost.Password("ann"));
    }

    [Fact]
    public async Task Supervisor_can_list_agents_but_not_create_or_change_them()
    {
        var annId = await Host.CreateAgentAsync("ann", ["general"]);
        await Host.CreateAgentAsync("sue", ["general"], role: Roles.Supervisor);
        using var sue = Host.Http(await Host.SignInAsync("sue", LiveHelpHost.Password("sue")));

        var list = await sue.GetFromJsonAsync<List<AgentRow>>("/api/agents", Json.Options);
        Assert.Contains(list!, a => a.Username == "ann");

        var create = await sue.PostAsJsonAsync("/api/agents", new { username = "sam", displayName = "Sam", password = "sam-password" });
        Assert.Equal(ErrorCodes.Forbidden, await CodeAsync(create, HttpStatusCode.Forbidden));
        var update = await sue.PutAsJsonAsync($"/api/agents/{annId}", new { disabled = true });
        Assert.Equal(ErrorCodes.Forbidden, await CodeAsync(update, HttpStatusCode.Forbidden));
        Assert.Equal(ErrorCodes.Forbidden, await CodeAsync(await sue.GetAsync("/api/settings/identity-secret"), HttpStatusCode.Forbidden));

        using var admin = await AdminAsync();
        var agents = await ListAsync(admin);
        Assert.DoesNotContain(agents, a => a.Username == "sam");
        Assert.False(agents.Single(a => a.Username == "ann").Disabled);
    }

    [Fact]
    public async Task Agent_cannot_create_or_change_agents()
    {
        var annId = await Host.CreateAgentAsync("ann", ["general"]);
        using var ann = Host.Http(await Host.SignInAsync("ann", LiveHelpHost.Password("ann")));

        var create = await ann.PostAsJsonAsync("/api/agents", new { username = "sam", displayName = "Sam", password = "sam-password", role = "admin" });
        Assert.Equal(ErrorCodes.Forbidden, await CodeAsync(create, HttpStatusCode.Forbidden));
        var promote = await ann.PutAsJsonAsync($"/api/agents/{annId}", new { role = "admin", maxConcurrent = 50 });
        Assert.Equal(ErrorCodes.Forbidden, await CodeAsync(promote, HttpStatusCode.Forbidden));

        using var admin = await AdminAsync();
        var agents = await ListAsync(admin);
        Assert.DoesNotContain(agents, a => a.Username == "sam");
        var self = agents.Single(a => a.Id == annId);
        Assert.Equal((Roles.Agent, 3), (self.Role, self.MaxConcurrent));
    }

    [Fact]
    public async Task Sign_in_with_a_wrong_password_is_unauthorized()
    {
        await Host.CreateAgentAsync("ann", ["general"]);
        using var http = Host.Http();

        var wrong = await http.PostAsJsonAsync("/api/auth/signin", new { username = "ann", password = "not-her-password" });
        var unknown = await http.PostAsJsonAsync("/api/auth/signin", new { username = "nobody", password = "not-her-password" });
        var differentCase = await http.PostAsJsonAsync("/api/auth/signin", new { username = "ann", password = LiveHelpHost.Password("ann").ToUpperInvariant() });

        Assert.Equal(ErrorCodes.Unauthorized, await CodeAsync(wrong, HttpStatusCode.Unauthorized));
        Assert.Equal(ErrorCodes.Unauthorized, await CodeAsync(unknown, HttpStatusCode.Unauthorized));
        Assert.Equal(ErrorCodes.Unauthorized, await CodeAsync(differentCase, HttpStatusCode.Unauthorized));
        Assert.Equal(await DetailAsync(wrong), await DetailAsync(unknown));
        var client = await Assert.ThrowsAsync<LiveHelpApiException>(() => AgentClient.SignInAsync(Host.BaseUri, "ann", "not-her-password"));
        Assert.Equal((ErrorCodes.Unauthorized, 401), (client.Code, client.Status));
        await Host.SignInAsync("ann", LiveHelpHost.Password("ann"));
    }

    [Fact]
    public async Task Admin_cannot_disable_or_demote_themselves()
    {
        using var admin = await AdminAsync();

        var disable = await admin.Http.PutAsJsonAsync($"/api/agents/{admin.Id}", new { disabled = true });
        var demote = await admin.Http.PutAsJsonAsync($"/api/agents/{admin.Id}", new { role = Roles.Agent });

        Assert.Equal(ErrorCodes.InvalidInput, await CodeAsync(disable, HttpStatusCode.BadRequest));
        Assert.Equal(ErrorCodes.InvalidInput, await CodeAsync(demote, HttpStatusCode.BadRequest));
        var self = (await ListAsync(admin)).Single(a => a.Id == admin.Id);
        Assert.Equal((Roles.Admin, false), (self.Role, self.Disabled));
        using var again = await AdminAsync();
        Assert.Equal(HttpStatusCode.OK, (await again.Http.GetAsync("/api/settings/identity-secret")).StatusCode);
    }

    private async Task<AdminSession> AdminAsync()
    {
        using var http = Host.Http();
        var response = await http.PostAsJsonAsync("/api/auth/signin", new { username = "admin", password = LiveHelpHost.AdminPassword });
        response.EnsureSuccessStatusCode();
        var credentials = (await response.Content.ReadFromJsonAsync<AgentCredentials>(Json.Options))!;
        Assert.Equal(Roles.Admin, credentials.Role);
        return new AdminSession(Host.Http(credentials.Token), credentials.AgentId);
    }

    private static async Task<List<AgentRow>> ListAsync(AdminSession admin) =>
        (await admin.Http.GetFromJsonAsync<List<AgentRow>>("/api/agents", Json.Options))!;

    private static async Task<AgentRow> UpdateAsync(AdminSession admin, string agentId, object change)
    {
        var response = await admin.Http.PutAsJsonAsync($"/api/agents/{agentId}", change);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AgentRow>(Json.Options))!;
    }

    private static async Task<string?> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();

    private static Task<string> CodeAsync(HttpResponseMessage response, HttpStatusCode status) => ProblemJson.CodeAsync(response, status);

    private sealed record AdminSession(HttpClient Http, string Id) : IDisposable
    {
        public void Dispose() => Http.Dispose();
    }

    private sealed record AgentRow(
        string Id, string Username, string DisplayName, string Role, string[] Skills, int MaxConcurrent,
        bool AutoAccept, bool Disabled, AgentStatus Status, int Load, bool Connected)
    {
        public bool Equals(AgentRow? other) => other is not null && ToString() == other.ToString() && Skills.SequenceEqual(other.Skills);

        public override int GetHashCode() => Id.GetHashCode(StringComparison.Ordinal);
    }
}
