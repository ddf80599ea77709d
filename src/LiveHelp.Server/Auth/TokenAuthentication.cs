using System.Security.Claims;
using System.Text.Encodings.Web;
using LiveHelp.Core;
using LiveHelp.Core.Conversations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Auth;

/// <summary>Reads the bearer token from the Authorization header; a hub client's access_token was moved there by <see cref="AccessTokenQuery"/>.</summary>
public sealed class TokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessTokens tokens, IConversationStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "LiveHelpToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header["Bearer ".Length..].Trim();
        if (tokens.Read(token) is not { } claims)
        {
            return AuthenticateResult.Fail("invalid or expired token");
        }
        if (Roles.IsStaff(claims.Role))
        {
            // A staff token is only as good as the account behind it: disabling an account or changing its role takes effect at once.
            if (await store.FindAgentAsync(claims.Subject, Context.RequestAborted) is not { Disabled: false } account)
            {
                return AuthenticateResult.Fail("account disabled or removed");
            }
            claims = claims with { Role = account.Role, Name = account.DisplayName };
        }
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, claims.Subject),
                new Claim(ClaimTypes.Role, claims.Role),
                new Claim(ClaimTypes.Name, claims.Name ?? ""),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
