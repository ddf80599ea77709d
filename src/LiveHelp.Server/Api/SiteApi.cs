using System.Security.Claims;
using System.Text.Json;
using LiveHelp.Core;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Routing;
using LiveHelp.Server.Auth;
using LiveHelp.Server.Help;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Api;

public sealed record OriginsInput(List<string>? Origins);

public sealed record OriginsView(IReadOnlyList<string> Origins, IReadOnlyList<string> Configured);

/// <summary>What the widget needs before the first press, and what the console shows beside a conversation.</summary>
internal static class SiteApi
{
    private const string CannedKey = "canned-responses";

    public static void MapSiteApi(this RouteGroupBuilder api)
    {
        // The widget and console take the message limit from here, so their composers hold a text the server would refuse.
        api.MapGet("/status", async (Router router, IOptions<LiveHelpOptions> options) => Results.Ok(new
        {
            agentsOnline = (await router.Store.ListSeatsAsync()).Count(s => s.IsAvailable),
            maxMessageLength = options.Value.MaxMessageLength,
        })).AllowAnonymous().Produces(StatusCodes.Status200OK).Documented("Agents online and the message length limit, for the widget before a press");

        api.MapGet("/settings/allowed-origins", async (AllowedOrigins origins) =>
            Results.Ok(new OriginsView(await origins.StoredAsync(), origins.Configured))).RequireAuthorization(StaffApi.Admins)
            .Produces<OriginsView>().Documented("Sites allowed to embed the widget: stored by admins, and configured (admins)", ErrorCodes.Unauthorized, ErrorCodes.Forbidden);
        api.MapPut("/settings/allowed-origins", async (OriginsInput? body, AllowedOrigins origins) =>
        {
            var list = body?.Origins ?? throw new LiveHelpException(ErrorCodes.InvalidInput, "origins is required");
            if (list.Count > 500)
            {
                throw new LiveHelpException(ErrorCodes.InvalidInput, "at most 500 origins");
            }
            await origins.SetAsync(list);
            return Results.Ok(new OriginsView(await origins.StoredAsync(), origins.Configured));
        }).RequireAuthorization(StaffApi.Admins).Produces<OriginsView>()
            .Documented("Replaces the stored list of allowed sites (admins)", ErrorCodes.InvalidInput, ErrorCodes.Unauthorized, ErrorCodes.Forbidden);

        api.MapGet("/canned-responses", async (IConversationStore store) => Results.Ok(await CannedAsync(store))).RequireAuthorization(StaffApi.Staff)
            .Produces<List<CannedResponse>>().Documented("Canned responses agents insert into their replies", ErrorCodes.Unauthorized, ErrorCodes.Forbidden);
        api.MapPut("/canned-responses", async (List<CannedResponse>? body, IConversationStore store, IOptions<LiveHelpOptions> options) =>
        {
            var list = body ?? throw new LiveHelpException(ErrorCodes.InvalidInput, "a list of responses is required");
            if (list.Count > 500)
            {
                throw new LiveHelpException(ErrorCodes.InvalidInput, "at most 500 responses");
            }
            foreach (var r in list)
            {
                Validate.Required(r?.Id, "id", 64);
                Validate.Required(r!.Title, "title", 100);
                Validate.Text(r.Text, options.Value.MaxMessageLength);
            }
            if (list.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count() != list.Count)
            {
                throw new LiveHelpException(ErrorCodes.InvalidInput, "response ids must be unique");
            }
            await store.SetSettingAsync(CannedKey, JsonSerializer.Serialize(list));
            return Results.Ok(list);
        }).RequireAuthorization(StaffApi.Admins).Produces<List<CannedResponse>>()
            .Documented("Replaces the canned responses (admins)", ErrorCodes.InvalidInput, ErrorCodes.TooLong, ErrorCodes.Unauthorized, ErrorCodes.Forbidden);

        api.MapGet("/visitors/{id}/conversations", async (string id, IConversationStore store, Conversations conversations, ClaimsPrincipal user) =>
        {
            // Supervisors see any visitor's history; an agent only the history of a customer they are serving.
            var caller = Caller.Of(user);
            var visitor = await store.FindVisitorAsync(id);
            if (visitor is null || !(caller.CanOversee || await conversations.IsServingAsync(caller, visitor.Id)))
            {
                throw new LiveHelpException(ErrorCodes.NotFound, "visitor not found");
            }
            return Results.Ok((await store.ListConversationsByVisitorAsync(visitor.Id)).Select(c => c.ToView(visitor.UserId).For(caller)).ToList());
        }).RequireAuthorization(StaffApi.Staff).Produces<List<Core.Contracts.ConversationView>>()
            .Documented("A visitor's earlier conversations, for supervisors and the agent serving them", ErrorCodes.NotFound, ErrorCodes.Unauthorized, ErrorCodes.Forbidden);

        api.MapGet("/conversations", async (IConversationStore store) =>
            Results.Ok((await store.ListOpenConversationsAsync()).Select(c => c.ToView()).ToList())).RequireAuthorization(StaffApi.Supervisors)
            .Produces<List<Core.Contracts.ConversationView>>().Documented("The open conversations (supervisors)", ErrorCodes.Unauthorized, ErrorCodes.Forbidden);
    }

    private static async Task<IReadOnlyList<CannedResponse>> CannedAsync(IConversationStore store) =>
        await store.FindSettingAsync(CannedKey) is { } json ? JsonSerializer.Deserialize<List<CannedResponse>>(json) ?? [] : [];
}
