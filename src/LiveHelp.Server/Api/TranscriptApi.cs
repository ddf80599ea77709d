using System.Globalization;
using System.Security.Claims;
using System.Text;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Help;

namespace LiveHelp.Server.Api;

/// <summary>Transcripts for the participants and supervisors, as JSON and as plain text.</summary>
internal static class TranscriptApi
{
    public static void MapTranscriptApi(this RouteGroupBuilder api)
    {
        api.MapGet("/conversations/{id}/transcript", async (string id, ClaimsPrincipal user, Chat chat) =>
            Results.Ok(await ReadAllAsync(chat, Caller.Of(user), id)))
            .Produces<ResumeResult>().Documented("A conversation and all its messages, for its participants and supervisors", ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.Unauthorized);
        api.MapGet("/conversations/{id}/transcript.txt", async (string id, ClaimsPrincipal user, Chat chat) =>
            Results.Text(Render(await ReadAllAsync(chat, Caller.Of(user), id)), "text/plain; charset=utf-8"))
            .Produces<string>(StatusCodes.Status200OK, "text/plain").Documented("The transcript as plain text", ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.Unauthorized);
    }

    private static async Task<ResumeResult> ReadAllAsync(Chat chat, Caller caller, string id)
    {
        var page = await chat.ResumeAsync(caller, id, 0);
        var messages = page.Messages.ToList();
        while (page.Messages.Count == 1000)
        {
            page = await chat.ResumeAsync(caller, id, page.Messages[^1].Seq);
            messages.AddRange(page.Messages);
        }
        return page with { Messages = messages };
    }

    private static string Render(ResumeResult transcript)
    {
        var c = transcript.Conversation;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"LiveHelp conversation {c.Id}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Topic: {c.Topic}    Mode: {c.Mode}    Status: {c.Status}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Started: {c.CreatedAt:u}{(c.ClosedAt is { } closed ? $"    Closed: {closed:u}" : "")}");
        if (c.Rating is { } rating)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Rating: {rating}/5 {c.RatingComment}");
        }
        text.AppendLine();
        foreach (var m in transcript.Messages)
        {
            var who = m.Kind switch
            {
                MessageKind.Customer => m.SenderName is { Length: > 0 } n ? $"{n} (customer)" : "Customer",
                MessageKind.Agent => $"{m.SenderName} (agent)",
                MessageKind.Note => $"{m.SenderName} (internal note)",
                _ => "LiveHelp",
            };
            var said = m.Attachment is { } a ? $"[attachment: {a.FileName}, {a.ContentType}, {Size(a.Size)}]" : m.Text;
            text.AppendLine(CultureInfo.InvariantCulture, $"[{m.SentAt:yyyy-MM-dd HH:mm:ss}Z] {who}: {said}");
        }
        return text.ToString();
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
    };
}
