using LiveHelp.Core;

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
        _ => ErrorCodes.InvalidInput,
    };

    /// <summary>Route-group filter: a <see cref="LiveHelpException"/> from a handler becomes its problem.</summary>
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
}
