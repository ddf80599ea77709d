using System.Net;
using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

/// <summary>Files either side sends: stored with the conversation, shown to whoever may read it, and nothing else.</summary>
public sealed class AttachmentTests : ServerTest
{
    private const long Limit = 64 * 1024;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:MaxAttachmentSize"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["LiveHelp:AttachmentsPerMinute"] = "5",
    };

    [Fact]
    public async Task A_customers_photo_reaches_the_agent_live_and_both_fetch_the_same_bytes_as_an_inline_png()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var seen = new Inbox<Message>(h => ann.MessageReceived += h);
        var photo = TestFiles.Png(40, 30);

        var sent = await customer.SendAttachmentAsync(id, "broken part.png", new MemoryStream(photo));

        var live = await seen.NextAsync(m => m.Attachment is not null);
        Assert.Equal(MessageKind.Customer, live.Kind);
        Assert.Equal(sent.Seq, live.Seq);
        Assert.Equal(new Attachment { Id = sent.Attachment!.Id, FileName = "broken part.png", ContentType = "image/png", Size = photo.Length }, live.Attachment);
        foreach (var token in new[] { ann.Token!, customer.Token! })
        {
            using var response = await Host.Http(token).GetAsync($"/api/conversations/{id}/attachments/{sent.Attachment.Id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(photo, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("broken part.png", response.Content.Headers.ContentDisposition?.FileNameStar);
            Assert.Contains("sandbox", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        }
        var history = await ann.ResumeAsync(id, 0);
        Assert.Equal(sent.Attachment, history.Messages.Single(m => m.Seq == sent.Seq).Attachment);
    }

    [Fact]
    public async Task An_agents_pdf_reaches_the_customer_and_downloads_as_an_attachment_whatever_its_name_claims()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var seen = new Inbox<Message>(h => customer.MessageReceived += h);

        var sent = await ann.SendAttachmentAsync(id, "Rechnung \"März\".html", new MemoryStream(TestFiles.Pdf()));

        var live = await seen.NextAsync(m => m.Attachment is not null);
        Assert.Equal((MessageKind.Agent, "application/pdf", "Rechnung \"März\".html"), (live.Kind, live.Attachment!.ContentType, live.Attachment.FileName));
        using var response = await Host.Http(customer.Token).GetAsync($"/api/conversations/{id}/attachments/{sent.Attachment!.Id}");
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        // The name goes out encoded (RFC 5987), so quotes and non-ASCII letters cannot break the header.
        Assert.Equal("Rechnung \"März\".html", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task A_raw_body_upload_works_too_and_a_path_in_the_name_is_dropped()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        using var http = Host.Http(customer.Token);

        using var response = await http.PostAsync($"/api/conversations/{id}/attachments?name=..%2F..%2Fetc%2Fphoto.png", new ByteArrayContent(TestFiles.Png(2, 2)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await response.Content.ReadFromJsonAsync<Message>(Json.Options);
        Assert.Equal(("photo.png", "photo.png"), (message!.Attachment!.FileName, message.Text));
    }

    public static TheoryData<string, byte[]> NotAccepted => new()
    {
        { "drawing.png", TestFiles.Svg() },
        { "page.png", TestFiles.Html() },
        { "notes.pdf", "just some text"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(NotAccepted))]
    public async Task A_file_that_is_not_an_accepted_image_or_pdf_by_its_bytes_is_refused_and_nothing_is_sent(string name, byte[] bytes)
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var before = (await customer.ResumeAsync(id, 0)).Messages.Count;

        var refused = await Assert.ThrowsAsync<LiveHelpApiException>(() => customer.SendAttachmentAsync(id, name, new MemoryStream(bytes)));

        Assert.Equal((ErrorCodes.UnsupportedType, 415), (refused.Code, refused.Status));
        Assert.Equal(before, (await customer.ResumeAsync(id, 0)).Messages.Count);
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_too_large_and_one_at_the_limit_goes_through()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var atLimit = TestFiles.Png(1, 1).Concat(new byte[Limit]).Take((int)Limit).ToArray();
        using var http = Host.Http(customer.Token);

        var justOver = await Assert.ThrowsAsync<LiveHelpApiException>(() => customer.SendAttachmentAsync(id, "big.png", new MemoryStream([.. atLimit, 0])));
        using var farOver = await http.PostAsync($"/api/conversations/{id}/attachments", new ByteArrayContent(new byte[Limit * 4]));

        Assert.Equal((ErrorCodes.TooLarge, 413), (justOver.Code, justOver.Status));
        Assert.Equal(ErrorCodes.TooLarge, await ProblemJson.CodeAsync(farOver, HttpStatusCode.RequestEntityTooLarge));
        Assert.Equal(Limit, (await customer.SendAttachmentAsync(id, "big.png", new MemoryStream(atLimit))).Attachment!.Size);
    }

    [Fact]
    public async Task Nobody_outside_the_conversation_can_send_into_it_or_fetch_its_files()
    {
        var ann = await AgentAsync("ann");
        var (owner, _, id) = await ConversationAsync(ann);
        var sent = await owner.SendAttachmentAsync(id, "part.png", new MemoryStream(TestFiles.Png(4, 4)));
        var intruder = await CustomerAsync();
        var bob = await AgentAsync("bob");
        var url = $"/api/conversations/{id}/attachments";

        foreach (var stranger in new ConversationClient[] { intruder, bob })
        {
            var upload = await Assert.ThrowsAsync<LiveHelpApiException>(() => stranger.SendAttachmentAsync(id, "x.png", new MemoryStream(TestFiles.Png(1, 1))));
            Assert.Equal((ErrorCodes.NotFound, 404), (upload.Code, upload.Status));
            using var fetch = await Host.Http(stranger.Token).GetAsync($"{url}/{sent.Attachment!.Id}");
            Assert.Equal(ErrorCodes.NotFound, await ProblemJson.CodeAsync(fetch, HttpStatusCode.NotFound));
        }
        using var anonymous = await Host.Http().GetAsync($"{url}/{sent.Attachment!.Id}");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var elsewhere = await Host.Http(owner.Token).GetAsync($"/api/conversations/c_{Guid.NewGuid():N}/attachments/{sent.Attachment.Id}");
        Assert.Equal(ErrorCodes.NotFound, await ProblemJson.CodeAsync(elsewhere, HttpStatusCode.NotFound));
        Assert.Single((await owner.ResumeAsync(id, 0)).Messages, m => m.Attachment is not null);
    }

    [Fact]
    public async Task A_supervisor_reads_the_file_but_only_the_two_sides_send_one()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var sent = await customer.SendAttachmentAsync(id, "part.png", new MemoryStream(TestFiles.Png(4, 4)));
        var sue = await AgentAsync("sue", role: Roles.Supervisor);

        var (bytes, type) = await sue.ReadAttachmentAsync(id, sent.Attachment!.Id);
        var upload = await Assert.ThrowsAsync<LiveHelpApiException>(() => sue.SendAttachmentAsync(id, "x.png", new MemoryStream(TestFiles.Png(1, 1))));

        Assert.Equal(TestFiles.Png(4, 4), bytes);
        Assert.Equal("image/png", type);
        Assert.Equal(ErrorCodes.NotFound, upload.Code);
    }

    [Fact]
    public async Task A_closed_conversation_takes_no_files_but_its_files_stay_readable()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var sent = await customer.SendAttachmentAsync(id, "part.png", new MemoryStream(TestFiles.Png(4, 4)));
        await ann.CloseAsync(id);

        var refused = await Assert.ThrowsAsync<LiveHelpApiException>(() => customer.SendAttachmentAsync(id, "late.png", new MemoryStream(TestFiles.Png(1, 1))));

        Assert.Equal(ErrorCodes.ConversationClosed, refused.Code);
        Assert.Equal(TestFiles.Png(4, 4), (await customer.ReadAttachmentAsync(id, sent.Attachment!.Id)).Bytes);
    }

    [Fact]
    public async Task The_same_upload_sent_again_with_its_client_message_id_is_stored_once()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);

        var first = await customer.SendAttachmentAsync(id, "part.png", new MemoryStream(TestFiles.Png(4, 4)), clientMessageId: "up-1");
        var again = await customer.SendAttachmentAsync(id, "part.png", new MemoryStream(TestFiles.Png(4, 4)), clientMessageId: "up-1");

        Assert.Equal(first, again);
        Assert.Single((await customer.ResumeAsync(id, 0)).Messages, m => m.Attachment is not null);
    }

    [Fact]
    public async Task A_sender_past_the_files_per_minute_is_refused_rate_limited_and_told_when_to_try_again()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        for (var i = 0; i < 5; i++)
        {
            await customer.SendAttachmentAsync(id, $"part-{i}.png", new MemoryStream(TestFiles.Png(2, 2)));
        }
        using var http = Host.Http(customer.Token);

        using var refused = await http.PostAsync($"/api/conversations/{id}/attachments?name=more.png", new ByteArrayContent(TestFiles.Png(2, 2)));

        Assert.Equal(ErrorCodes.RateLimited, await ProblemJson.CodeAsync(refused, HttpStatusCode.TooManyRequests));
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After says how long to wait");
        Assert.Equal(5, (await customer.ResumeAsync(id, 0)).Messages.Count(m => m.Attachment is not null));
        // Another sender has files of their own to send.
        await ann.SendAttachmentAsync(id, "reply.png", new MemoryStream(TestFiles.Png(2, 2)));
    }

    [Fact]
    public async Task The_transcript_lists_each_file_by_name_type_and_size()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var photo = TestFiles.Png(4, 4);
        await customer.SendAttachmentAsync(id, "broken part.png", new MemoryStream(photo));
        await ann.SendAttachmentAsync(id, "manual.pdf", new MemoryStream(TestFiles.Pdf()));
        using var http = Host.Http(ann.Token);

        var text = await http.GetStringAsync($"/api/conversations/{id}/transcript.txt");
        var json = await http.GetFromJsonAsync<ResumeResult>($"/api/conversations/{id}/transcript", Json.Options);

        Assert.Contains($"[attachment: broken part.png, image/png, {photo.Length} B]", text, StringComparison.Ordinal);
        Assert.Contains($"[attachment: manual.pdf, application/pdf, {TestFiles.Pdf().Length} B]", text, StringComparison.Ordinal);
        Assert.Equal(["broken part.png", "manual.pdf"], json!.Messages.Where(m => m.Attachment is not null).Select(m => m.Attachment!.FileName));
    }
}
