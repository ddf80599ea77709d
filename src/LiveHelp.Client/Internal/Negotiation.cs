using System.Net.Http.Headers;
using System.Text.Json;

namespace LiveHelp.Client.Internal;

/// <summary>Where to open the WebSocket: the URL, the connection token for its id, and the token to present.</summary>
internal sealed record Negotiation(Uri Url, string? ConnectionToken, string? ConnectionId, string? AccessToken)
{
    private const int MaxRedirects = 10;

    public static async Task<Negotiation> NegotiateAsync(Uri hubUrl, string? accessToken, HttpClient http, CancellationToken ct)
    {
        var url = hubUrl;
        var token = accessToken;
        for (var redirect = 0; redirect <= MaxRedirects; redirect++)
        {
            var negotiateUrl = UriPaths.AddQuery(UriPaths.Append(url, "negotiate"), "negotiateVersion", "1");
            using var request = new HttpRequestMessage(HttpMethod.Post, negotiateUrl) { Content = new ByteArrayContent([]) };
            if (!string.IsNullOrEmpty(token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await ProblemDetailsReader.ReadAsync(response, ct).ConfigureAwait(false);
            }
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: ct).ConfigureAwait(false);
            var root = document.RootElement;
            if (HubProtocol.ReadString(root, "error") is { } error)
            {
                throw new LiveHelpConnectionException($"The server refused the connection: {error}", serverError: error, allowReconnect: false);
            }
            if (HubProtocol.ReadString(root, "url") is { } redirectUrl)
            {
                url = new Uri(redirectUrl);
                token = HubProtocol.ReadString(root, "accessToken") ?? token;
                continue;
            }
            if (!OffersWebSockets(root))
            {
                throw new LiveHelpConnectionException("The server does not offer the WebSockets transport with text frames.", allowReconnect: false);
            }
            var connectionId = HubProtocol.ReadString(root, "connectionId");
            var connectionToken = HubProtocol.ReadString(root, "connectionToken") ?? connectionId;
            return new Negotiation(url, connectionToken, connectionId, token);
        }
        throw new LiveHelpConnectionException("Negotiation redirected too many times.", allowReconnect: false);
    }

    private static bool OffersWebSockets(JsonElement root)
    {
        if (!root.TryGetProperty("availableTransports", out var transports) || transports.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        foreach (var transport in transports.EnumerateArray())
        {
            if (transport.ValueKind != JsonValueKind.Object
                || !string.Equals(HubProtocol.ReadString(transport, "transport"), "WebSockets", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!transport.TryGetProperty("transferFormats", out var formats) || formats.ValueKind != JsonValueKind.Array)
            {
                return true;
            }
            foreach (var format in formats.EnumerateArray())
            {
                if (format.ValueKind == JsonValueKind.String && string.Equals(format.GetString(), "Text", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
