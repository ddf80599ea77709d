using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

public sealed class IdentityTests : ServerTest
{
    [Fact]
    public async Task Verified_user_is_the_same_visitor_on_a_second_device_with_their_conversations()
    {
        var ann = await AgentAsync("ann");
        var identity = await IdentityAsync("user-42");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var annMessages = new Inbox<Message>(h => ann.MessageReceived += h);

        var phone = await CustomerAsync(identity);
        var (_, _, earlier) = await ConversationAsync(ann, phone);
        Assert.Equal("user-42", (await offers.NextAsync(o => o.ConversationId == earlier)).Conversation.VerifiedUserId);
        await phone.SendMessageAsync(earlier, "First problem");
        await phone.CloseAsync(earlier);
        var (_, _, open) = await ConversationAsync(ann, phone);
        await phone.SendMessageAsync(open, "Second problem");

        var laptop = await CustomerAsync(identity);

        Assert.Equal(phone.VisitorId, laptop.VisitorId);
        var mine = (await laptop.MyConversationsAsync()).Select(c => c.Id).ToList();
        Assert.Equal(2, mine.Count);
        Assert.Contains(earlier, mine);
        Assert.Contains(open, mine);
        Assert.Contains((await laptop.ResumeAsync(earlier, 0)).Messages, m => m.Text == "First problem");
        Assert.Contains((await laptop.ResumeAsync(open, 0)).Messages, m => m.Text == "Second problem");
        Assert.Equal(open, (await laptop.RequestHelpAsync(Help())).Conversation!.Id);
        await laptop.SendMessageAsync(open, "Now on my laptop");
        Assert.Equal("Now on my laptop", (await annMessages.NextAsync(m => m.Text == "Now on my laptop")).Text);
        using var http = Host.Http(laptop.Token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/conversations/{earlier}/transcript")).StatusCode);
    }

    [Fact]
    public async Task Wrong_user_hash_is_refused_and_gives_no_token()
    {
        var secret = await SecretAsync();
        using var http = Host.Http();
        object[] attempts =
        [
            new { userId = "user-42", userHash = Hash(secret, "user-43") },
            new { userId = "user-42", userHash = Hash("not-the-secret", "user-42") },
            new { userId = "user-42", userHash = Hash(secret, "user-42")[..63] },
            new { userId = "user-42", userHash = "" },
            new { userId = "user-42", userHash = (string?)null },
            new { userId = "user-42 ", userHash = Hash(secret, "user-42") },
        ];

        foreach (var attempt in attempts)
        {
            var response = await http.PostAsJsonAsync("/api/visitors", attempt);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(ErrorCodes.IdentityInvalid, await ProblemJson.CodeAsync(response, HttpStatusCode.BadRequest));
            Assert.DoesNotContain("token", body, StringComparison.OrdinalIgnoreCase);
        }

        var refused = await Assert.ThrowsAsync<LiveHelpApiException>(() =>
            CustomerClient.ConnectAsync(Host.BaseUri, new VisitorIdentity { UserId = "user-42", UserHash = Hash(secret, "user-1") }));
        Assert.Equal(ErrorCodes.IdentityInvalid, refused.Code);
    }

    [Fact]
    public async Task User_hash_without_a_user_id_is_refused()
    {
        var secret = await SecretAsync();
        using var http = Host.Http();

        foreach (var attempt in new object[] { new { userHash = Hash(secret, "user-42") }, new { userId = "", userHash = Hash(secret, "") } })
        {
            var response = await http.PostAsJsonAsync("/api/visitors", attempt);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(ErrorCodes.IdentityInvalid, await ProblemJson.CodeAsync(response, HttpStatusCode.BadRequest));
            Assert.DoesNotContain("token", body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Anonymous_visitor_who_signs_in_keeps_their_conversations_under_the_identity()
    {
        var ann = await AgentAsync("ann");
        var anonymous = await CustomerAsync();
        var (_, _, id) = await ConversationAsync(ann, anonymous);
        await anonymous.SendMessageAsync(id, "Asked before signing in");
        await anonymous.CloseAsync(id);
        var identity = await IdentityAsync("user-7");

        var signedIn = Track(new CustomerClient(Host.BaseUri, FastReconnect));
        await signedIn.StartAsync(identity, previousToken: anonymous.Token);

        Assert.Equal(anonymous.VisitorId, signedIn.VisitorId);
        Assert.Contains(await signedIn.MyConversationsAsync(), c => c.Id == id);

        var otherDevice = await CustomerAsync(identity);
        Assert.Equal(anonymous.VisitorId, otherDevice.VisitorId);
        Assert.Contains(await otherDevice.MyConversationsAsync(), c => c.Id == id);
        Assert.Contains((await otherDevice.ResumeAsync(id, 0)).Messages, m => m.Text == "Asked before signing in");

        var stranger = await CustomerAsync();
        Assert.NotEqual(anonymous.VisitorId, stranger.VisitorId);
        Assert.Empty(await stranger.MyConversationsAsync());
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => stranger.ResumeAsync(id, 0))).Code);
        using var http = Host.Http(stranger.Token);
        Assert.Equal(ErrorCodes.NotFound, await ProblemJson.CodeAsync(await http.GetAsync($"/api/conversations/{id}/transcript"), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Anonymous_conversations_join_an_identity_already_known_from_another_device()
    {
        var ann = await AgentAsync("ann");
        var identity = await IdentityAsync("user-8");
        var desktop = await CustomerAsync(identity);
        var (_, _, fromDesktop) = await ConversationAsync(ann, desktop);
        await desktop.CloseAsync(fromDesktop);
        var phone = await CustomerAsync();
        var (_, _, fromPhone) = await ConversationAsync(ann, phone);
        await phone.SendMessageAsync(fromPhone, "Asked on my phone before signing in");
        await phone.CloseAsync(fromPhone);

        var signedIn = Track(new CustomerClient(Host.BaseUri, FastReconnect));
        await signedIn.StartAsync(identity, previousToken: phone.Token);

        Assert.Equal(desktop.VisitorId, signedIn.VisitorId);
        var mine = (await signedIn.MyConversationsAsync()).Select(c => c.Id).ToList();
        Assert.Contains(fromDesktop, mine);
        Assert.Contains(fromPhone, mine);
        Assert.Contains((await signedIn.ResumeAsync(fromPhone, 0)).Messages, m => m.Text == "Asked on my phone before signing in");
    }

    [Fact]
    public async Task Token_of_one_user_does_not_carry_their_conversations_to_another_user()
    {
        var ann = await AgentAsync("ann");
        var alice = await CustomerAsync(await IdentityAsync("alice"));
        var (_, _, id) = await ConversationAsync(ann, alice);
        await alice.CloseAsync(id);

        var mallory = Track(new CustomerClient(Host.BaseUri, FastReconnect));
        await mallory.StartAsync(await IdentityAsync("mallory"), previousToken: alice.Token);

        Assert.NotEqual(alice.VisitorId, mallory.VisitorId);
        Assert.Empty(await mallory.MyConversationsAsync());
        Assert.Equal(ErrorCodes.NotFound, (await RefusedAsync(() => mallory.ResumeAsync(id, 0))).Code);
        var aliceAgain = await CustomerAsync(await IdentityAsync("alice"));
        Assert.Equal(alice.VisitorId, aliceAgain.VisitorId);
        Assert.Contains(await aliceAgain.MyConversationsAsync(), c => c.Id == id);
    }

    [Fact]
    public async Task Anonymous_visitor_keeps_no_identity_and_staff_see_no_verified_user()
    {
        var ann = await AgentAsync("ann");
        var offers = new Inbox<OfferNotice>(h => ann.OfferReceived += h);
        var customer = await CustomerAsync(new VisitorIdentity { Name = "Chris" });

        var id = (await customer.RequestHelpAsync(Help())).Conversation!.Id;

        var offer = await offers.NextAsync(o => o.ConversationId == id);
        Assert.Null(offer.Conversation.VerifiedUserId);
        Assert.Equal("Chris", offer.Conversation.PreQualification.Name);
    }

    private async Task<VisitorIdentity> IdentityAsync(string userId) =>
        new() { UserId = userId, UserHash = Hash(await SecretAsync(), userId) };

    /// <summary>What the host site's own server does: reads the secret once (as admin) and signs its user ids.</summary>
    private async Task<string> SecretAsync()
    {
        using var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));
        var answer = await admin.GetFromJsonAsync<JsonElement>("/api/settings/identity-secret");
        var secret = answer.GetProperty("secret").GetString();
        Assert.False(string.IsNullOrEmpty(secret));
        return secret!;
    }

    private static string Hash(string secret, string userId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(userId)));
}
