using System.Net;
using System.Net.Http.Json;

namespace LiveHelp.Server.Tests;

/// <summary>What browsers are told about LiveHelp's answers: no type sniffing, and on pages what may run and be sent.</summary>
public sealed class ResponseHeaderTests : ServerTest
{
    [Fact]
    public async Task Api_answers_and_transcripts_are_never_sniffed()
    {
        var ann = await AgentAsync("ann");
        var (_, _, id) = await ConversationAsync(ann);
        using var staff = Host.Http(await Host.SignInAsync("ann", LiveHelpHost.Password("ann")));
        using var anonymous = Host.Http();

        var responses = new[]
        {
            await anonymous.GetAsync("/api/status"),
            await anonymous.GetAsync("/api/topics"),
            await anonymous.PostAsJsonAsync("/api/visitors", new { }),
            await anonymous.GetAsync("/api/agents"),
            await staff.GetAsync($"/api/conversations/{id}/transcript"),
            await staff.GetAsync($"/api/conversations/{id}/transcript.txt"),
            await staff.GetAsync("/api/conversations/c_none/transcript.txt"),
        };

        Assert.Equal(HttpStatusCode.OK, responses[5].StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, responses[3].StatusCode);
        foreach (var response in responses)
        {
            Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        }
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/index.html", true)]
    [InlineData("/mayday", true)]
    [InlineData("/console", false)]
    [InlineData("/console.html", false)]
    public async Task Pages_limit_where_they_connect_what_they_send_and_what_they_may_use(string path, bool widget)
    {
        using var http = Host.Http();

        var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = Directives(string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("'self'", policy["connect-src"]);
        Assert.Equal("'none'", policy["base-uri"]);
        Assert.Equal("'none'", policy["form-action"]);
        Assert.Equal("'self'", policy["script-src"]);
        Assert.Equal(["same-origin"], response.Headers.GetValues("Referrer-Policy"));
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        var permissions = string.Join(",", response.Headers.GetValues("Permissions-Policy")).Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("camera=(self)", permissions);
        Assert.Contains("microphone=(self)", permissions);
        // Customers share their screen from the widget; agents never share theirs.
        Assert.Contains(widget ? "display-capture=(self)" : "display-capture=()", permissions);
        Assert.Contains("geolocation=()", permissions);
    }

    private static Dictionary<string, string> Directives(string policy) => policy
        .Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(d => d.Split(' ', 2))
        .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "");
}
