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
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.Unavailable,
        _ => ErrorCodes.InvalidInput,
    };

    /// <summary>
    /// Route-group filter: a <see cref="LiveHelpException"/> from a handler becomes its problem, a store out of reach
    /// for a moment 503 "unavailable".
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
        catch (Exception e) when (StoreFaults.IsTransient(e))
        {
            var log = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Problems));
            Log.StoreUnavailable(log, context.HttpContext.Request.Path, e.Message);
            return Of(ErrorCodes.Unavailable, "The service is briefly unavailable; try again in a moment.");
        }
    }
}
