using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHelp.Client.Internal;

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

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, string? bearer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, UriPaths.Append(_baseUri, path))
        {
            Content = JsonContent.Create(body, options: _json),
        };
        if (!string.IsNullOrEmpty(bearer))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ProblemDetailsReader.ReadAsync(response, ct).ConfigureAwait(false);
        }
        return await response.Content.ReadFromJsonAsync<TResponse>(_json, ct).ConfigureAwait(false)
            ?? throw new LiveHelpApiException(LiveHelpHubException.UnknownCode, (int)response.StatusCode, $"POST {path} returned no body.");
    }

    private sealed record SignInRequest(string Username, string Password);
}
