using System.Net;
using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Core;

namespace LiveHelp.Server.Tests;

/// <summary>Guessing passwords: a handful of failures per account, and a few more per client address, then 429.</summary>
public sealed class SignInThrottleTests : ServerTest
{
    [Fact]
    public async Task Wrong_passwords_lock_the_account_so_even_the_right_one_must_wait()
    {
        await Host.CreateAgentAsync("ann", ["general"]);
        await Host.CreateAgentAsync("bob", ["general"]);
        using var http = Host.Http();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ErrorCodes.Unauthorized, await ProblemJson.CodeAsync(await SignInAsync(http, "ann", $"guess-{i}"), HttpStatusCode.Unauthorized));
        }
        var sixth = await SignInAsync(http, "ann", "guess-5");
        var right = await SignInAsync(http, "ann", LiveHelpHost.Password("ann"));
        var otherCase = await SignInAsync(http, "ANN", LiveHelpHost.Password("ann"));

        foreach (var refused in new[] { sixth, right, otherCase })
        {
            Assert.Equal(ErrorCodes.RateLimited, await ProblemJson.CodeAsync(refused, HttpStatusCode.TooManyRequests));
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {refused.Headers.RetryAfter}");
        }
        var client = await Assert.ThrowsAsync<LiveHelpApiException>(() => AgentClient.SignInAsync(Host.BaseUri, "ann", LiveHelpHost.Password("ann")));
        Assert.Equal((ErrorCodes.RateLimited, 429), (client.Code, client.Status));

        // Another account is not held back by Ann's lock, though it signs in from the same address.
        await Host.SignInAsync("bob", LiveHelpHost.Password("bob"));
    }

    [Fact]
    public async Task Guesses_sent_at_once_get_no_more_answers_than_the_limit()
    {
        await Host.CreateAgentAsync("ann", ["general"]);
        using var http = Host.Http();

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => SignInAsync(http, "ann", $"guess-{i}")));

        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(25, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(http, "ann", LiveHelpHost.Password("ann"))).StatusCode);
    }

    [Fact]
    public async Task A_successful_sign_in_clears_the_accounts_failures()
    {
        await Host.CreateAgentAsync("ann", ["general"]);
        using var http = Host.Http();

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(http, "ann", $"typo-{round}-{i}")).StatusCode);
            }
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(http, "ann", LiveHelpHost.Password("ann"))).StatusCode);
        }
    }

    [Fact]
    public async Task Failures_spread_over_many_accounts_lock_the_address()
    {
        await Host.CreateAgentAsync("ann", ["general"]);
        using var http = Host.Http();
        // Many agents signing in from one office address are not held back: only failures count.
        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(http, "ann", LiveHelpHost.Password("ann"))).StatusCode);
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(ErrorCodes.Unauthorized, await ProblemJson.CodeAsync(await SignInAsync(http, $"user{i}", "guess"), HttpStatusCode.Unauthorized));
        }
        var next = await SignInAsync(http, "user20", "guess");
        var ann = await SignInAsync(http, "ann", LiveHelpHost.Password("ann"));

        Assert.Equal(ErrorCodes.RateLimited, await ProblemJson.CodeAsync(next, HttpStatusCode.TooManyRequests));
        Assert.Equal(ErrorCodes.RateLimited, await ProblemJson.CodeAsync(ann, HttpStatusCode.TooManyRequests));
        Assert.True(ann.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task Malformed_sign_ins_are_invalid_input_and_do_not_count()
    {
        await Host.CreateAgentAsync("ann", ["general"]);
        using var http = Host.Http();

        // More than the address allows in failures (20), so counting them against either limit would show.
        for (var i = 0; i < 21; i++)
        {
            var response = await http.PostAsJsonAsync("/api/auth/signin", new { username = "ann" });
            Assert.Equal(ErrorCodes.InvalidInput, await ProblemJson.CodeAsync(response, HttpStatusCode.BadRequest));
        }

        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(http, "ann", LiveHelpHost.Password("ann"))).StatusCode);
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient http, string username, string password) =>
        http.PostAsJsonAsync("/api/auth/signin", new { username, password });
}
