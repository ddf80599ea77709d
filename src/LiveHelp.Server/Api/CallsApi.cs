using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Server.Help;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Api;

/// <summary>ICE servers for a call's participants, with short-lived TURN credentials.</summary>
internal static class CallsApi
{
    public static void MapCallsApi(this RouteGroupBuilder api) =>
        api.MapGet("/calls/ice-servers", async (string? conversationId, ClaimsPrincipal user, Conversations conversations, IOptions<LiveHelpOptions> options, TimeProvider clock) =>
        {
            // Only a participant of a live conversation gets credentials; anyone else gets not-found.
            var caller = Caller.Of(user);
            Conversations.RequireOpen(await conversations.FindAsync(caller, conversationId ?? "", Access.Participate));
            var turn = options.Value.Turn;
            var servers = new List<IceServer>();
            if (turn.StunUrls.Count > 0)
            {
                servers.Add(new IceServer(turn.StunUrls));
            }
            if (turn.Urls.Count > 0 && turn.Secret is { Length: > 0 } secret)
            {
                var (username, credential) = TurnCredential(caller.Id, secret, clock.GetUtcNow() + turn.CredentialLifetime);
                servers.Add(new IceServer(turn.Urls, username, credential));
            }
            return Results.Ok(new IceServers(servers, (int)turn.CredentialLifetime.TotalSeconds));
        }).Produces<IceServers>().Documented(
            "STUN and TURN servers, with short-lived TURN credentials, for a participant of a live conversation",
            ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.ConversationClosed, ErrorCodes.Unauthorized);

    /// <summary>coturn's use-auth-secret scheme: username "expiry:user", password base64(HMAC-SHA1(secret, username)).</summary>
    public static (string Username, string Credential) TurnCredential(string userId, string secret, DateTimeOffset expires)
    {
        var username = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + ":" + userId;
        var credential = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
        return (username, credential);
    }
}
