using System.Globalization;
using System.Security.Claims;
using System.Text;
using LiveHelp.Core;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Help;

namespace LiveHelp.Server.Api;

/// <summary>One conversation in the history list.</summary>
public sealed record HistoryItem(
    string Id, DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt, string? CustomerName, string Topic, string? AgentId,
    string? AgentName, ConversationStatus Status, HelpMode Mode, int? Rating, string? Snippet);

/// <summary>A page of the history; <see cref="Next"/> is the cursor of the next page, null on the last.</summary>
public sealed record HistoryList(IReadOnlyList<HistoryItem> Items, string? Next);

/// <summary>Past conversations: agents see those they took part in, supervisors and admins all; as JSON pages and as CSV.</summary>
internal static class HistoryApi
{
    private const int MaxTextLength = 200;

    private static readonly string[] Refusals =
        [ErrorCodes.InvalidFilter, ErrorCodes.InvalidDate, ErrorCodes.InvalidLimit, ErrorCodes.InvalidCursor, ErrorCodes.Unauthorized, ErrorCodes.Forbidden];

    public static void MapHistoryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/history", async (HttpRequest request, ClaimsPrincipal user, IConversationStore store) =>
            {
                var caller = Caller.Of(user);
                var page = await store.SearchHistoryAsync(Parse(request.Query, caller));
                return Results.Ok(new HistoryList(page.Entries.Select(e => Item(e, caller)).ToList(), page.Next?.ToString()));
            })
            .RequireAuthorization(StaffApi.Staff)
            .Produces<HistoryList>()
            .Documented("Lists past and current conversations, newest first, filtered and searched, a page at a time.", Refusals);

        api.MapGet("/history.csv", async (HttpRequest request, ClaimsPrincipal user, IConversationStore store) =>
            {
                var caller = Caller.Of(user);
                // Parsed before anything is written, so bad filters are refused as problems.
                var query = Parse(request.Query, caller) with { Limit = HistoryQuery.MaxLimit };
                return Results.Stream(
                    async body => await WriteCsvAsync(body, store, query, caller, request.HttpContext.RequestAborted),
                    "text/csv; charset=utf-8",
                    "history.csv");
            })
            .RequireAuthorization(StaffApi.Staff)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .Documented("Exports every conversation the history filters match as CSV, newest first.", Refusals);
    }

    /// <summary>
    /// The query the request asks for, within what the caller may see: an agent only what they took part in, and the
    /// rating (theirs to see only where they held the conversation) only among those they held.
    /// </summary>
    private static HistoryQuery Parse(IQueryCollection q, Caller caller)
    {
        var rating = Optional(q, "rating") is { } r
            ? int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var stars) && stars is >= 1 and <= 5
                ? stars
                : throw Refuse(ErrorCodes.InvalidFilter, "rating must be a whole number from 1 to 5")
            : (int?)null;
        var from = Date(q, "from", endOfDay: false);
        var to = Date(q, "to", endOfDay: true);
        if (from is not null && to is not null && to <= from)
        {
            throw Refuse(ErrorCodes.InvalidDate, "to must be later than from");
        }
        var limit = Optional(q, "limit") is { } l
            ? int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= HistoryQuery.MaxLimit
                ? n
                : throw Refuse(ErrorCodes.InvalidLimit, $"limit must be a whole number from 1 to {HistoryQuery.MaxLimit}")
            : 50;
        var agentId = Text(q, "agent");
        return new HistoryQuery
        {
            Text = Text(q, "q"),
            Topic = Text(q, "topic"),
            AgentId = rating is not null && !caller.CanOversee ? caller.Id : agentId,
            Status = Enum<ConversationStatus>(q, "status"),
            From = from,
            To = to,
            Rating = rating,
            Mode = Enum<HistoryMode>(q, "mode"),
            ParticipantId = caller.CanOversee ? null : caller.Id,
            After = Optional(q, "cursor") is { } cursor
                ? HistoryCursor.Parse(cursor) ?? throw Refuse(ErrorCodes.InvalidCursor, "cursor is not one this server gave out")
                : null,
            Limit = limit,
        };
    }

    private static string? Optional(IQueryCollection q, string name)
    {
        var values = q[name];
        if (values.Count > 1)
        {
            throw Refuse(ErrorCodes.InvalidFilter, $"{name} may be given once");
        }
        return string.IsNullOrWhiteSpace(values.ToString()) ? null : values.ToString().Trim();
    }

    private static string? Text(IQueryCollection q, string name) => Optional(q, name) is { } text
        ? text.Length <= MaxTextLength ? text : throw Refuse(ErrorCodes.InvalidFilter, $"{name} must be at most {MaxTextLength} characters")
        : null;

    private static T? Enum<T>(IQueryCollection q, string name)
        where T : struct, Enum => Optional(q, name) is { } text
        ? System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !char.IsAsciiDigit(text[0])
            ? value
            : throw Refuse(ErrorCodes.InvalidFilter, $"{name} must be one of: {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}")
        : null;

    /// <summary>An ISO 8601 instant, or a calendar day (UTC): as <c>to</c>, a day counts to its end.</summary>
    private static DateTimeOffset? Date(IQueryCollection q, string name, bool endOfDay)
    {
        if (Optional(q, name) is not { } text)
        {
            return null;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1) : start;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) && text.Contains('T', StringComparison.Ordinal)
            ? instant
            : throw Refuse(ErrorCodes.InvalidDate, $"{name} must be a date (2025-03-14) or an ISO 8601 time (2025-03-14T09:30:00Z)");
    }

    private static LiveHelpException Refuse(string code, string message) => new(code, message);

    private static HistoryItem Item(HistoryEntry entry, Caller caller)
    {
        var c = entry.Conversation;
        var rating = caller.CanOversee || c.AgentId == caller.Id ? c.Rating : null;
        return new HistoryItem(c.Id, c.CreatedAt, c.ClosedAt, entry.CustomerName, c.Topic, c.AgentId, c.AgentName, c.Status, c.Mode, rating, entry.Snippet);
    }

    private static async Task WriteCsvAsync(Stream body, IConversationStore store, HistoryQuery query, Caller caller, CancellationToken ct)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await writer.WriteAsync("id,started,closed,customer,topic,agent,status,mode,rating,snippet\r\n");
        while (true)
        {
            var page = await store.SearchHistoryAsync(query, ct);
            foreach (var item in page.Entries.Select(e => Item(e, caller)))
            {
                string?[] cells =
                [
                    item.Id, Instant(item.CreatedAt), item.ClosedAt is { } closed ? Instant(closed) : null, item.CustomerName,
                    item.Topic, item.AgentName, item.Status.ToString(), item.Mode.ToString(),
                    item.Rating?.ToString(CultureInfo.InvariantCulture), item.Snippet,
                ];
                await writer.WriteAsync(string.Join(',', cells.Select(CsvCells.Cell)) + "\r\n");
            }
            if (page.Next is null)
            {
                return;
            }
            query = query with { After = page.Next };
        }
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

}
