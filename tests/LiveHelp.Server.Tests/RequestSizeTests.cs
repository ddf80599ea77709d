using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHelp.Core;

namespace LiveHelp.Server.Tests;

/// <summary>Endpoints anyone may call read at most 16 KB of body; staff endpoints are not held to that.</summary>
public sealed class RequestSizeTests : ServerTest
{
    [Theory]
    [InlineData("/api/visitors", false)]
    [InlineData("/api/visitors", true)]
    [InlineData("/api/auth/signin", false)]
    [InlineData("/api/auth/signin", true)]
    public async Task Anonymous_endpoints_refuse_a_large_body_with_too_large(string path, bool chunked)
    {
        await Host.CreateAgentAsync("ann", ["general"]);
        using var http = Host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = Body(new { name = new string('x', 1_000_000), username = "ann", password = new string('x', 1_000_000) }),
        };
        request.Headers.TransferEncodingChunked = chunked;

        var response = await http.SendAsync(request);

        Assert.Equal(ErrorCodes.TooLarge, await ProblemJson.CodeAsync(response, HttpStatusCode.RequestEntityTooLarge));
        // Just under the limit is still read, and answered as such a body deserves.
        var small = await http.PostAsync(path, Body(new { name = new string('x', 15_000) }));
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, small.StatusCode);
        Assert.NotEqual(HttpStatusCode.InternalServerError, small.StatusCode);
    }

    [Fact]
    public async Task Staff_endpoints_take_larger_bodies()
    {
        using var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));
        var responses = Enumerable.Range(0, 20).Select(i => new { id = $"r{i}", title = $"Reply {i}", text = new string('x', 3_000) }).ToList();

        var response = await admin.PutAsync("/api/canned-responses", Body(responses));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(20, (await admin.GetFromJsonAsync<List<JsonElement>>("/api/canned-responses"))!.Count);
    }

    private static ByteArrayContent Body(object value)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));
        content.Headers.ContentType = new("application/json");
        return content;
    }
}
