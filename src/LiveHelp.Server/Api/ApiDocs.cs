using LiveHelp.Core;
using Scalar.AspNetCore;

namespace LiveHelp.Server.Api;

/// <summary>The OpenAPI document of the HTTP API under /api, and its reference page for admins.</summary>
internal static class ApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/admin/api";

    public static void Add(IServiceCollection services) =>
        // Only the HTTP API is described: the hub has its contract in docs/HUB.md.
        services.AddOpenApi(o => o.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true);

    public static void Map(WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        app.MapScalarApiReference(ReferencePath, o => o.WithTitle("LiveHelp HTTP API").WithOpenApiRoutePattern(DocumentPath));
    }

    /// <summary>
    /// The endpoint's summary, and each way it refuses as a problem+json answer with its status; the stable codes are
    /// listed in the description. Any endpoint may answer 503 <c>unavailable</c> while the store is out of reach.
    /// </summary>
    public static RouteHandlerBuilder Documented(this RouteHandlerBuilder endpoint, string summary, params string[] refusals)
    {
        string[] codes = [.. refusals, ErrorCodes.Unavailable];
        foreach (var status in codes.Select(Problems.StatusOf).Distinct())
        {
            endpoint.ProducesProblem(status);
        }
        var listed = string.Join(", ", codes.Select(c => $"{Problems.StatusOf(c)} `{c}`"));
        return endpoint.WithSummary(summary).WithDescription($"Refusals, as problem+json with a `code` member: {listed}.");
    }
}
