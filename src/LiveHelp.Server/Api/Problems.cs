using LiveHelp.Core;
using LiveHelp.Persistence;

namespace LiveHelp.Server.Api;

/// <summary>Every HTTP refusal is problem+json with a stable "code" member.</summary>
internal static class Problems
{
    public static IResult Of(string code, string detail) => Results.Problem(
        detail: detail,
        statusCode: StatusOf(code),
        title: code,
        extensions: new Dictionary<string, object?> { ["code"] = code });

    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.NotFound => StatusCodes.Status404NotFound,
        ErrorCodes.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCodes.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCodes.Conflict => StatusCodes.Status409Conflict,
        ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.UnsupportedType => StatusCodes.Status415UnsupportedMediaType,
        ErrorCodes.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    public static string CodeOf(int status) => status switch
    {
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status409Conflict => ErrorCodes.Conflict,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.TooLarge,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedType,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.Unavailable,
        _ => ErrorCodes.InvalidInput,
    };

    /// <summary>
    /// Route-group filter: a <see cref="LiveHelpException"/> from a handler becomes its problem.
    /// </summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (LiveHelpException e)
        {
            return Of(e.Code, e.Message);
        }
    }

    /// <summary>
    /// Middleware: a store out of reach for a moment, wherever in the request (a staff token's account check, an
    /// endpoint, the hub's negotiate), answers 503 "unavailable" instead of a server error, so clients try again.
    /// </summary>
    public static async Task AnswerStoreOutage(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (StoreFaults.IsTransient(e) && !context.Response.HasStarted)
        {
            var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Problems));
            Log.StoreUnavailable(log, context.Request.Path, e.Message);
            context.Response.Clear();
            await Of(ErrorCodes.Unavailable, "The service is briefly unavailable; try again in a moment.").ExecuteAsync(context);
        }
    }
}
