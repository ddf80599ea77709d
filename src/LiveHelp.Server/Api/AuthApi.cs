using System.Globalization;
using LiveHelp.Core;
using LiveHelp.Core.Accounts;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Auth;
using LiveHelp.Server.Help;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Api;

public sealed record VisitorRequest(string? UserId, string? UserHash, string? Name, string? Email);

public sealed record VisitorResponse(string VisitorId, string Token);

public sealed record SignInRequest(string? Username, string? Password);

public sealed record SignInResponse(string Token, string AgentId, string DisplayName, string Role);

internal static class AuthApi
{
    private static readonly string UnknownUserHash = PasswordHash.Create(Guid.NewGuid().ToString());

    public static void MapAuthApi(this RouteGroupBuilder api)
    {
        api.MapPost("/visitors", CreateVisitor).AllowAnonymous().Produces<VisitorResponse>()
            .Documented("A visitor token; with a host site's userId and userHash, the token of that user", ErrorCodes.InvalidInput, ErrorCodes.IdentityInvalid, ErrorCodes.TooLarge, ErrorCodes.TooLong);
        api.MapPost("/auth/signin", SignIn).AllowAnonymous().Produces<SignInResponse>()
            .Documented("A staff token for a username and password", ErrorCodes.InvalidInput, ErrorCodes.Unauthorized, ErrorCodes.RateLimited, ErrorCodes.TooLarge, ErrorCodes.TooLong);
    }

    /// <summary>
    /// A visitor token, no sign-up. With a host site's userId and its HMAC (identity verification), the visitor is
    /// that user, with their earlier conversations; without a valid HMAC nobody can claim a user id.
    /// </summary>
    private static async Task<IResult> CreateVisitor(
        VisitorRequest? body, HttpContext http, IConversationStore store, AccessTokens tokens, ServerSecrets secrets,
        TimeProvider clock, IOptions<LiveHelpOptions> options)
    {
        body ??= new VisitorRequest(null, null, null, null);
        Validate.Optional(body.UserId, "userId", 200);
        Validate.Optional(body.UserHash, "userHash", 200);
        Validate.Optional(body.Name, "name", 200);
        Validate.Optional(body.Email, "email", 320);
        var current = http.User.Identity?.IsAuthenticated == true && http.User.IsInRole(Roles.Customer)
            ? await store.FindVisitorAsync(Caller.Of(http.User).Id)
            : null;

        Visitor visitor;
        if (body.UserId is { Length: > 0 } userId)
        {
            if (!AccessTokens.VerifyUserHash(userId, body.UserHash, secrets.IdentitySecret))
            {
                return Problems.Of(ErrorCodes.IdentityInvalid, "userHash does not match userId");
            }
            if (await store.FindVisitorByUserIdAsync(userId) is { } known)
            {
                visitor = known with { Name = body.Name ?? known.Name, Email = body.Email ?? known.Email };
                await store.UpdateVisitorAsync(visitor);
                if (current is { UserId: null } && current.Id != known.Id)
                {
                    // What the user asked anonymously on this device joins what they asked as themselves elsewhere.
                    await store.MoveConversationsAsync(current.Id, known.Id);
                }
            }
            else if (current is { UserId: null })
            {
                // The anonymous visitor signs in on the host site: their conversations so far become the user's.
                visitor = current with { UserId = userId, Name = body.Name ?? current.Name, Email = body.Email ?? current.Email };
                await store.UpdateVisitorAsync(visitor);
            }
            else
            {
                visitor = new Visitor { Id = Ids.New("v"), UserId = userId, Name = body.Name, Email = body.Email, CreatedAt = clock.GetUtcNow() };
                await store.AddVisitorAsync(visitor);
            }
        }
        else if (body.UserHash is not null)
        {
            return Problems.Of(ErrorCodes.IdentityInvalid, "userHash was given without userId");
        }
        else if (current is not null)
        {
            visitor = current with { Name = body.Name ?? current.Name, Email = body.Email ?? current.Email };
            await store.UpdateVisitorAsync(visitor);
        }
        else
        {
            visitor = new Visitor { Id = Ids.New("v"), Name = body.Name, Email = body.Email, CreatedAt = clock.GetUtcNow() };
            await store.AddVisitorAsync(visitor);
        }
        var token = tokens.Issue(visitor.Id, Roles.Customer, visitor.Name, options.Value.VisitorTokenLifetime);
        return Results.Ok(new VisitorResponse(visitor.Id, token));
    }

    private static async Task<IResult> SignIn(
        SignInRequest? body, HttpContext http, IConversationStore store, AccessTokens tokens, SignInThrottle throttle, IOptions<LiveHelpOptions> options)
    {
        Validate.Required(body?.Username, "username", 64);
        Validate.Required(body?.Password, "password", 200);
        using var attempt = await throttle.BeginAsync(body!.Username!, http.Connection.RemoteIpAddress, http.RequestAborted);
        if (attempt.RetryAfter is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Problems.Of(ErrorCodes.RateLimited, $"too many failed sign-ins; try again in {seconds} seconds");
        }
        var account = await store.FindAgentByUsernameAsync(body.Username!);
        // An unknown username costs the same hashing as a wrong password, so timing does not tell which usernames exist.
        var verified = PasswordHash.Verify(body.Password!, account?.PasswordHash ?? UnknownUserHash);
        if (account is null || account.Disabled || !verified)
        {
            attempt.Failed();
            return Problems.Of(ErrorCodes.Unauthorized, "wrong username or password");
        }
        attempt.Succeeded();
        var token = tokens.Issue(account.Id, account.Role, account.DisplayName, options.Value.StaffTokenLifetime);
        return Results.Ok(new SignInResponse(token, account.Id, account.DisplayName, account.Role));
    }
}
