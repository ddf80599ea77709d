using System.Security.Claims;
using System.Text.RegularExpressions;
using LiveHelp.Core;
using LiveHelp.Core.Accounts;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Routing;
using LiveHelp.Server.Help;
using LiveHelp.Server.Hubs;

namespace LiveHelp.Server.Api;

public sealed record AgentInput
{
    public string? Username { get; init; }
    public string? DisplayName { get; init; }
    public string? Password { get; init; }
    public string? Role { get; init; }
    public List<string>? Skills { get; init; }
    public int? MaxConcurrent { get; init; }
    public bool? AutoAccept { get; init; }
    public bool? Disabled { get; init; }
}

public sealed record AgentView(
    string Id, string Username, string DisplayName, string Role, IReadOnlyList<string> Skills, int MaxConcurrent,
    bool AutoAccept, bool Disabled, AgentStatus Status, int Load, bool Connected);

public sealed record TopicInput(string? Id, string? Name, string? Skill);

public sealed record IdentitySecretView(string Secret);

/// <summary>Accounts, topics and the identity secret: what admins manage and supervisors see.</summary>
internal static partial class StaffApi
{
    public const string Staff = "staff";
    public const string Supervisors = "supervisors";
    public const string Admins = "admins";

    public static void MapStaffApi(this RouteGroupBuilder api)
    {
        api.MapGet("/topics", async (IConversationStore store) => Results.Ok(await store.ListTopicsAsync())).AllowAnonymous()
            .Produces<List<Topic>>().Documented("The help topics a customer chooses from");
        api.MapPost("/topics", UpsertTopic).RequireAuthorization(Admins)
            .Produces<Topic>().Documented("Adds a topic, or renames one with the same id (admins)", ErrorCodes.InvalidInput, ErrorCodes.TooLong, ErrorCodes.Unauthorized, ErrorCodes.Forbidden);
        api.MapGet("/agents", ListAgents).RequireAuthorization(Staff)
            .Produces<List<AgentView>>().Documented("Staff accounts with their live status and load", ErrorCodes.Unauthorized, ErrorCodes.Forbidden);
        api.MapPost("/agents", CreateAgent).RequireAuthorization(Admins).Produces<AgentView>(StatusCodes.Status201Created)
            .Documented("Creates a staff account (admins)", ErrorCodes.InvalidInput, ErrorCodes.TooLong, ErrorCodes.Conflict, ErrorCodes.Unauthorized, ErrorCodes.Forbidden);
        api.MapPut("/agents/{id}", UpdateAgent).RequireAuthorization(Admins).Produces<AgentView>()
            .Documented("Changes a staff account; fields left out keep their value (admins)", ErrorCodes.InvalidInput, ErrorCodes.TooLong, ErrorCodes.NotFound, ErrorCodes.Unauthorized, ErrorCodes.Forbidden);
        api.MapGet("/settings/identity-secret", (ServerSecrets secrets) => Results.Ok(new IdentitySecretView(secrets.IdentitySecret))).RequireAuthorization(Admins)
            .Produces<IdentitySecretView>().Documented("The secret a host site signs its user ids with (admins)", ErrorCodes.Unauthorized, ErrorCodes.Forbidden);
        api.MapGet("/offline-messages", async (IConversationStore store) => Results.Ok(await store.ListOfflineMessagesAsync())).RequireAuthorization(Staff)
            .Produces<List<OfflineMessage>>().Documented("Messages customers left while no agent was online", ErrorCodes.Unauthorized, ErrorCodes.Forbidden);
    }

    private static async Task<IResult> UpsertTopic(TopicInput? body, IConversationStore store)
    {
        Validate.Required(body?.Id, "id", 64);
        Validate.Required(body?.Name, "name", 100);
        Validate.Optional(body?.Skill, "skill", 64);
        if (!Slug().IsMatch(body!.Id!))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "id may hold lower-case letters, digits, '-' and '_'");
        }
        var topic = new Topic(body.Id!, body.Name!, body.Skill is { Length: > 0 } s ? s : body.Id!);
        await store.UpsertTopicAsync(topic);
        return Results.Ok(topic);
    }

    private static async Task<IResult> ListAgents(IConversationStore store, Router router)
    {
        var seats = (await router.Store.ListSeatsAsync()).ToDictionary(s => s.AgentId);
        var agents = await store.ListAgentsAsync();
        return Results.Ok(agents.Select(a => ToView(a, seats.GetValueOrDefault(a.Id))).ToList());
    }

    private static async Task<IResult> CreateAgent(AgentInput? body, IConversationStore store, HelpQueue queue, TimeProvider clock)
    {
        Validate.Required(body?.Username, "username", 64);
        Validate.Required(body?.DisplayName, "displayName", 100);
        Validate.Required(body?.Password, "password", 200);
        if (!Slug().IsMatch(body!.Username!.ToLowerInvariant()))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "username may hold letters, digits, '-' and '_'");
        }
        var account = Apply(new AgentAccount
        {
            Id = Ids.New("a"),
            Username = body.Username!,
            DisplayName = body.DisplayName!,
            PasswordHash = "",
            Role = Roles.Agent,
            CreatedAt = clock.GetUtcNow(),
        }, body);
        if (!await store.TryAddAgentAsync(account))
        {
            throw new LiveHelpException(ErrorCodes.Conflict, "that username is taken");
        }
        await queue.AgentChangedAsync(account);
        return Results.Created($"/api/agents/{account.Id}", ToView(account, null));
    }

    private static async Task<IResult> UpdateAgent(
        string id, AgentInput? body, IConversationStore store, HelpQueue queue, Router router, StaffConnections connections, ClaimsPrincipal user)
    {
        var account = await store.FindAgentAsync(id) ?? throw new LiveHelpException(ErrorCodes.NotFound, "agent not found");
        if (body?.Username is not null && body.Username != account.Username)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "a username cannot be changed");
        }
        var changed = Apply(account, body ?? new AgentInput());
        if (changed.Id == user.FindFirstValue(ClaimTypes.NameIdentifier) && (changed.Disabled || changed.Role != Roles.Admin))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "admins cannot disable or demote themselves");
        }
        await store.UpdateAgentAsync(changed);
        await queue.AgentChangedAsync(changed);
        if (changed.Disabled)
        {
            // Other nodes close theirs when they next re-read the account (StaffConnections).
            connections.Close(changed.Id);
        }
        else
        {
            connections.Forget(changed.Id);
        }
        return Results.Ok(ToView(changed, await router.Store.FindSeatAsync(changed.Id)));
    }

    /// <summary>Checks and applies the fields that were given; untouched fields keep their value.</summary>
    private static AgentAccount Apply(AgentAccount account, AgentInput body)
    {
        Validate.Optional(body.DisplayName, "displayName", 100);
        if (body.DisplayName is { } name && string.IsNullOrWhiteSpace(name))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "displayName must not be empty");
        }
        if (body.Password is { } password && password.Length is < 8 or > 200)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "password must have 8 to 200 characters");
        }
        if (body.Role is { } role && !Roles.IsStaff(role))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "role must be agent, supervisor or admin");
        }
        if (body.MaxConcurrent is < 1 or > 50)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "maxConcurrent must be from 1 to 50");
        }
        if (body.Skills is { } skills && (skills.Count > 50 || skills.Any(s => string.IsNullOrWhiteSpace(s) || s.Length > 64)))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "skills must be up to 50 names of up to 64 characters");
        }
        return account with
        {
            DisplayName = body.DisplayName ?? account.DisplayName,
            PasswordHash = body.Password is { } p ? PasswordHash.Create(p) : account.PasswordHash,
            Role = body.Role ?? account.Role,
            Skills = body.Skills?.Distinct(StringComparer.OrdinalIgnoreCase).ToList() ?? account.Skills,
            MaxConcurrent = body.MaxConcurrent ?? account.MaxConcurrent,
            AutoAccept = body.AutoAccept ?? account.AutoAccept,
            Disabled = body.Disabled ?? account.Disabled,
        };
    }

    private static AgentView ToView(AgentAccount a, AgentSeat? seat) => new(
        a.Id, a.Username, a.DisplayName, a.Role, a.Skills, a.MaxConcurrent, a.AutoAccept, a.Disabled,
        seat?.Status ?? AgentStatus.Offline, seat?.Conversations.Count ?? 0, seat?.Connections > 0);

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex Slug();
}
