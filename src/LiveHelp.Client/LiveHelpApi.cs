using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHelp.Client.Internal;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Client;

/// <summary>The HTTP endpoints a client needs before it opens the hub. Failures throw <see cref="LiveHelpApiException"/>.</summary>
public sealed class LiveHelpApi
{
    private readonly Uri _baseUri;
    private readonly HttpClient _http;
    private readonly JsonSerializerOptions _json;

    public LiveHelpApi(Uri baseUri, HttpClient? httpClient = null, JsonSerializerOptions? jsonOptions = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        _baseUri = baseUri;
        _http = httpClient ?? SharedHttp.Client;
        _json = jsonOptions ?? LiveHelpJson.CreateOptions();
    }

    /// <summary>
    /// POST /api/visitors: registers a visitor, or, given the token of an earlier visit, keeps the same visitor.
    /// </summary>
    public Task<VisitorCredentials> CreateVisitorAsync(
        VisitorIdentity? identity = null, string? visitorToken = null, CancellationToken cancellationToken = default) =>
        PostAsync<VisitorIdentity, VisitorCredentials>("api/visitors", identity ?? new VisitorIdentity(), visitorToken, cancellationToken);

    /// <summary>POST /api/auth/signin for agents, supervisors and admins.</summary>
    public Task<AgentCredentials> SignInAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        return PostAsync<SignInRequest, AgentCredentials>("api/auth/signin", new SignInRequest(username, password), null, cancellationToken);
    }

    /// <summary>
    /// POST /api/conversations/{id}/attachments: sends a PNG, JPEG, GIF, WebP image or a PDF (judged by its bytes)
    /// into an open conversation the token's holder takes part in, and returns the message that shows it.
    /// </summary>
    public async Task<Message> SendAttachmentAsync(
        string conversationId, string fileName, Stream content, string bearer, string? clientMessageId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(content);
        var file = new StreamContent(content);
        // The name goes only in its encoded form (RFC 5987), so quotes and any letters travel as they are.
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileNameStar = fileName };
        using var form = new MultipartFormDataContent { file };
        var query = clientMessageId is null ? "" : "?clientMessageId=" + Uri.EscapeDataString(clientMessageId);
        return await SendAsync<Message>(
            HttpMethod.Post, $"api/conversations/{Uri.EscapeDataString(conversationId)}/attachments", form, bearer, cancellationToken, query)
            .ConfigureAwait(false);
    }

    /// <summary>GET /api/conversations/{id}/attachments/{attachmentId}: the file's bytes and the type the server read from them.</summary>
    public async Task<(byte[] Bytes, string ContentType)> ReadAttachmentAsync(
        string conversationId, string attachmentId, string bearer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        ArgumentNullException.ThrowIfNull(attachmentId);
        using var request = new HttpRequestMessage(
            HttpMethod.Get,
            UriPaths.Append(_baseUri, $"api/conversations/{Uri.EscapeDataString(conversationId)}/attachments/{Uri.EscapeDataString(attachmentId)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return (bytes, response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream");
    }

    private Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, string? bearer, CancellationToken ct) =>
        SendAsync<TResponse>(HttpMethod.Post, path, JsonContent.Create(body, options: _json), bearer, ct);

    private async Task<TResponse> SendAsync<TResponse>(
        HttpMethod method, string path, HttpContent content, string? bearer, CancellationToken ct, string query = "")
    {
        var uri = new UriBuilder(UriPaths.Append(_baseUri, path));
        uri.Query = (uri.Query.TrimStart('?') + "&" + query.TrimStart('?')).Trim('&');
        using var request = new HttpRequestMessage(method, uri.Uri) { Content = content };
        if (!string.IsNullOrEmpty(bearer))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        using var response = await SendCheckedAsync(request, ct).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<TResponse>(_json, ct).ConfigureAwait(false)
            ?? throw new LiveHelpApiException(LiveHelpHubException.UnknownCode, (int)response.StatusCode, $"{method} {path} returned no body.");
    }

    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ProblemDetailsReader.ReadAsync(response, ct).ConfigureAwait(false);
            }
        }
        return response;
    }

    private sealed record SignInRequest(string Username, string Password);
}
