using System.Net;
using LiveHelp.Core;

namespace LiveHelp.Server.Tests;

public sealed class OriginTests : ServerTest
{
    [Fact]
    public async Task A_page_on_a_site_that_is_not_allowed_is_refused_with_a_reason_it_can_read()
    {
        using var http = Host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/status");
        request.Headers.Add("Origin", "https://unknown.example");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("https://unknown.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains(ErrorCodes.OriginNotAllowed, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_hub_refuses_a_websocket_from_a_site_that_is_not_allowed()
    {
        using var http = Host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hub/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", "https://unknown.example");

        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(request)).StatusCode);
    }
}
