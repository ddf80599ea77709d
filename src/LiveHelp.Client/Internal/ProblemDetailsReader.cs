using System.Net;
using System.Text.Json;
using LiveHelp.Core;

namespace LiveHelp.Client.Internal;

/// <summary>Turns a failed HTTP response (application/problem+json with a "code" member) into an exception.</summary>
internal static class ProblemDetailsReader
{
    public static async Task<LiveHelpApiException> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        string? code = null;
        string? message = null;
        try
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(body))
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    code = ReadString(root, "code");
                    message = ReadString(root, "detail") ?? ReadString(root, "title") ?? ReadString(root, "error");
                }
            }
        }
        catch (JsonException)
        {
        }
        var status = (int)response.StatusCode;
        code ??= DefaultCode(response.StatusCode);
        message ??= $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
        return new LiveHelpApiException(code, status, message);
    }

    /// <summary>A refusal known only by its status (negotiate or the WebSocket upgrade answered it).</summary>
    public static LiveHelpApiException FromStatus(HttpStatusCode status, string message) => new(DefaultCode(status), (int)status, message);

    private static string? ReadString(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string DefaultCode(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => ErrorCodes.InvalidInput,
        HttpStatusCode.Unauthorized => ErrorCodes.Unauthorized,
        HttpStatusCode.Forbidden => ErrorCodes.Forbidden,
        HttpStatusCode.NotFound => ErrorCodes.NotFound,
        HttpStatusCode.Conflict => ErrorCodes.Conflict,
        HttpStatusCode.TooManyRequests => ErrorCodes.RateLimited,
        _ => LiveHelpHubException.UnknownCode,
    };
}
