using System.Text.Json;
using LiveHelp.Core;
using LiveHelp.Core.Conversations;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Auth;

/// <summary>
/// The sites allowed to embed the widget: configured ones plus those an admin added. Pages of LiveHelp itself are
/// always allowed; so are clients that send no Origin at all (apps and the .NET SDK).
/// </summary>
public sealed class AllowedOrigins(IConversationStore store, IOptions<LiveHelpOptions> options, TimeProvider clock)
{
    public const string SettingKey = "allowed-origins";

    // Other nodes may change the stored list: it is re-read at most this often.
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(10);

    private volatile HashSet<string> _stored = new(StringComparer.OrdinalIgnoreCase);
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public IReadOnlyList<string> Configured => options.Value.AllowedOrigins;

    public async Task<IReadOnlyList<string>> StoredAsync()
    {
        await RefreshAsync(force: true);
        return [.. _stored.Order(StringComparer.OrdinalIgnoreCase)];
    }

    public async Task SetAsync(IEnumerable<string> origins)
    {
        var normalised = origins.Select(Normalise).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        await store.SetSettingAsync(SettingKey, JsonSerializer.Serialize(normalised));
        _stored = new HashSet<string>(normalised, StringComparer.OrdinalIgnoreCase);
        _readAt = clock.GetUtcNow();
    }

    /// <summary>Checked synchronously by CORS; the cached list is refreshed by <see cref="RefreshAsync"/>.</summary>
    public bool IsAllowed(string origin) =>
        Configured.Contains("*") || Configured.Contains(origin, StringComparer.OrdinalIgnoreCase) || _stored.Contains(origin);

    public bool IsAllowed(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase) || IsAllowed(origin);
    }

    public async Task RefreshAsync(bool force = false)
    {
        if (!force && clock.GetUtcNow() - _readAt < Freshness)
        {
            return;
        }
        var json = await store.FindSettingAsync(SettingKey);
        _stored = new HashSet<string>(json is null ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [], StringComparer.OrdinalIgnoreCase);
        _readAt = clock.GetUtcNow();
    }

    /// <summary>An origin is scheme://host[:port], nothing more.</summary>
    public static string Normalise(string origin)
    {
        if (!Uri.TryCreate(origin?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, $"'{origin}' is not an origin such as https://shop.example");
        }
        return uri.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>
    /// Refuses hub and API requests from a page whose origin is not allowed, before anything runs, with a clear
    /// answer (CORS alone would only hide the response from the page; WebSockets ignore CORS).
    /// </summary>
    public static async Task Guard(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments(Core.Contracts.Hub.Path) || path.StartsWithSegments("/api"))
        {
            var origins = context.RequestServices.GetRequiredService<AllowedOrigins>();
            try
            {
                await origins.RefreshAsync();
            }
            catch (Exception e) when (Persistence.StoreFaults.IsTransient(e))
            {
                // The store is briefly out of reach: the list read last stands, and the request gets its own answer.
            }
            if (!origins.IsAllowed(context.Request))
            {
                if (!HttpMethods.IsOptions(context.Request.Method))
                {
                    // The refusal itself may be read by the page, so the widget can say why it cannot help there.
                    context.Response.Headers.AccessControlAllowOrigin = context.Request.Headers.Origin.ToString();
                    context.Response.Headers.Vary = "Origin";
                }
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await Results.Problem(
                    detail: $"LiveHelp does not accept requests from {context.Request.Headers.Origin}; an admin can allow this site.",
                    statusCode: StatusCodes.Status403Forbidden,
                    title: ErrorCodes.OriginNotAllowed,
                    extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.OriginNotAllowed }).ExecuteAsync(context);
                return;
            }
        }
        await next(context);
    }
}

/// <summary>CORS for the widget's calls: allowed origins only, with credentials (the SignalR client sends them).</summary>
internal sealed class WidgetCors(AllowedOrigins origins) : ICorsPolicyProvider
{
    private readonly CorsPolicy _policy = new CorsPolicyBuilder()
        .SetIsOriginAllowed(origins.IsAllowed)
        .AllowAnyHeader()
        .AllowAnyMethod()
        .AllowCredentials()
        .Build();

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName) => Task.FromResult<CorsPolicy?>(_policy);
}
