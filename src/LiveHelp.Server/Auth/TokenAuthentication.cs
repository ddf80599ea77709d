using System.Security.Claims;
using System.Text.Encodings.Web;
using LiveHelp.Core.Contracts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Auth;

/// <summary>Reads the bearer token from the Authorization header, or from access_token on the hub (browsers cannot set headers on WebSockets).</summary>
public sealed class TokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "LiveHelpToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header["Bearer ".Length..].Trim();
        }
        else if (Request.Path.StartsWithSegments(Hub.Path))
        {
            token = Request.Query["access_token"];
        }
        if (token is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (tokens.Read(token) is not { } claims)
        {
            return Task.FromResult(AuthenticateResult.Fail("invalid or expired token"));
        }
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, claims.Subject),
                new Claim(ClaimTypes.Role, claims.Role),
                new Claim(ClaimTypes.Name, claims.Name ?? ""),
            ],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
