using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHelp.Server.Tests;

/// <summary>The OpenAPI document describes every endpoint of the HTTP API: a new endpoint without its answers fails here.</summary>
public sealed class ApiDocumentTests : ServerTest
{
    [Fact]
    public async Task Every_api_endpoint_is_in_the_document_with_a_summary_its_answer_and_its_refusals()
    {
        using var http = Host.Http();
        var response = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");

        var endpoints = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Path: e.RoutePattern.RawText!, Method: m)))
            .ToList();
        Assert.NotEmpty(endpoints);
        foreach (var (path, method) in endpoints)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{method} {path} is not in the OpenAPI document");
            Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{method} {path} is not in the OpenAPI document");
            Assert.False(string.IsNullOrWhiteSpace(operation.TryGetProperty("summary", out var s) ? s.GetString() : null), $"{method} {path} has no summary");
            var answers = operation.GetProperty("responses").EnumerateObject().ToList();
            Assert.Contains(answers, a => a.Name.StartsWith('2'));
            // Every endpoint may answer 503 while the store is out of reach, as problem+json.
            var unavailable = Assert.Single(answers, a => a.Name == "503").Value;
            Assert.True(unavailable.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{method} {path} refusals are not problem+json");
        }
        // Only the HTTP API: the hub, pages and probes are not in it.
        Assert.All(paths.EnumerateObject(), p => Assert.StartsWith("/api/", p.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refusal_is_documented_with_its_code()
    {
        using var http = Host.Http();
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var signIn = document.RootElement.GetProperty("paths").GetProperty("/api/auth/signin").GetProperty("post");

        Assert.True(signIn.GetProperty("responses").TryGetProperty("429", out _));
        Assert.Contains("429 `rate_limited`", signIn.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(signIn.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
    }

    [Fact]
    public async Task Admins_have_a_reference_page_of_the_api()
    {
        using var http = Host.Http();
        var page = await http.GetAsync("/admin/api");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        // The page (Scalar) loads its scripts from beside itself and reads the document from the server's root.
        Assert.Contains("\"url\":\"openapi/v1.json\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var script in new[] { "scalar.js", "scalar.aspnetcore.js" })
        {
            var served = await http.GetAsync(new Uri(page.RequestMessage!.RequestUri!, script));
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }
    }
}
