using LiveHelp.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHelp.Client.Tests.Hosting;

/// <summary>The two HTTP endpoints a client calls before the hub, answering errors as problem+json with a code.</summary>
public static class MiniApi
{
    public const string Password = "correct horse";

    public static void Map(WebApplication app)
    {
        app.MapPost("/mini/api/visitors", (VisitorBody body, HttpContext context) =>
        {
            if (body.Name == "bad")
            {
                return Problem(StatusCodes.Status400BadRequest, ErrorCodes.InvalidInput, "The name is not allowed.");
            }
            var presented = context.Request.Headers.Authorization.ToString();
            var visitorId = presented.StartsWith("Bearer visitor:", StringComparison.Ordinal)
                ? presented["Bearer visitor:".Length..]
                : context.RequestServices.GetRequiredService<MiniStore>().NewVisitorId();
            return Results.Ok(new { visitorId, token = "visitor:" + visitorId });
        });
        app.MapPost("/mini/api/auth/signin", (SignInBody body) =>
            body.Password != Password
                ? Problem(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "Wrong username or password.")
                : Results.Ok(new { token = "agent:" + body.Username, agentId = body.Username, displayName = "Agent " + body.Username, role = Roles.Agent }));
    }

    private static IResult Problem(int status, string code, string detail) =>
        Results.Problem(detail: detail, statusCode: status, extensions: new Dictionary<string, object?> { ["code"] = code });

    public sealed record VisitorBody(string? UserId, string? UserHash, string? Name, string? Email);

    public sealed record SignInBody(string Username, string Password);
}
