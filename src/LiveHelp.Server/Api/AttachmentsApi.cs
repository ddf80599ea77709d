using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using LiveHelp.Core;
using LiveHelp.Server.Help;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LiveHelp.Server.Api;

/// <summary>
/// Files sent in a conversation: uploaded by either side, served from this origin to whoever may read the
/// conversation, as the type their bytes are and never as a page (no sniffing, no scripts, no markup).
/// </summary>
internal static class AttachmentsApi
{
    /// <summary>Room for a multipart body's boundaries and part headers around the file.</summary>
    private const long MultipartOverhead = 16 * 1024;

    private const string UploadLimit = "attachments";

    /// <summary>
    /// Each sender (by token, not address) sends at most <see cref="LiveHelpOptions.AttachmentsPerMinute"/> files a
    /// minute, so nobody fills the store; more are refused with 429 <c>rate_limited</c> and a Retry-After.
    /// </summary>
    public static void AddUploadLimit(IServiceCollection services) => services.AddRateLimiter(o =>
    {
        o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        o.OnRejected = (context, _) =>
        {
            if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait))
            {
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }
            return ValueTask.CompletedTask;
        };
        o.AddPolicy(UploadLimit, context =>
        {
            var perMinute = context.RequestServices.GetRequiredService<IOptions<LiveHelpOptions>>().Value.AttachmentsPerMinute;
            return RateLimitPartition.GetTokenBucketLimiter(Caller.Of(context.User).Id, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perMinute,
                TokensPerPeriod = perMinute,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
        });
    });

    public static void MapAttachmentsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/conversations/{id}/attachments", UploadAsync).RequireRateLimiting(UploadLimit)
            .Produces<Core.Conversations.Message>()
            .Documented(
                "Sends an image (PNG, JPEG, GIF, WebP) or a PDF in an open conversation, as multipart or as the body with ?name=",
                ErrorCodes.InvalidInput, ErrorCodes.Unauthorized, ErrorCodes.NotFound, ErrorCodes.ConversationClosed, ErrorCodes.TooLarge,
                ErrorCodes.UnsupportedType, ErrorCodes.RateLimited);
        api.MapGet("/conversations/{id}/attachments/{attachmentId}", DownloadAsync)
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Documented("A file sent in the conversation, with the type read from its bytes", ErrorCodes.Unauthorized, ErrorCodes.NotFound);
    }

    /// <summary>A multipart form with the file in its first file part, or the bytes as the body with the name in <c>?name=</c>.</summary>
    private static async Task<IResult> UploadAsync(
        string id, string? name, string? clientMessageId, HttpRequest request, ClaimsPrincipal user, Chat chat, IOptions<LiveHelpOptions> options)
    {
        var caller = Caller.Of(user);
        var limit = options.Value.MaxAttachmentSize;
        if (request.ContentLength > limit + MultipartOverhead)
        {
            throw AttachmentTypes.TooLarge(limit);
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit + MultipartOverhead;
        }
        // Rights first, so a stranger's body is never read (Chat checks again as it stores, for its other callers).
        Conversations.RequireOpen(await chat.ConversationAsync(caller, id));
        byte[] bytes;
        try
        {
            (bytes, name) = request.HasFormContentType ? await ReadFormFileAsync(request) : (await ReadBodyAsync(request), name);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw AttachmentTypes.TooLarge(limit);
        }
        catch (InvalidDataException)
        {
            return Problems.Of(ErrorCodes.InvalidInput, "the form could not be read");
        }
        var message = await chat.SendAttachmentAsync(caller, id, clientMessageId, name, bytes);
        return Results.Ok(message);
    }

    // Both readers are bounded by the request's body limit; Chat holds the file to the exact one.
    private static async Task<(byte[] Bytes, string? Name)> ReadFormFileAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var file = form.Files.Count > 0 ? form.Files[0] : throw new LiveHelpException(ErrorCodes.InvalidInput, "the form holds no file");
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer);
        return (buffer.ToArray(), file.FileName);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static async Task<IResult> DownloadAsync(string id, string attachmentId, HttpContext context, ClaimsPrincipal user, Chat chat)
    {
        var content = await chat.ReadAttachmentAsync(Caller.Of(user), id, attachmentId);
        var attachment = content.Attachment;
        var headers = context.Response.Headers;
        // Whatever the bytes hold, a browser shows them only as the image or PDF they were sniffed to be, never a page
        // that runs (X-Content-Type-Options: nosniff goes on every answer, from WebPages.NoSniff).
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        headers.CacheControl = "private, no-store";
        var disposition = new ContentDispositionHeaderValue(AttachmentTypes.IsImage(attachment.ContentType) ? "inline" : "attachment");
        disposition.SetHttpFileName(attachment.FileName);
        headers.ContentDisposition = disposition.ToString();
        return Results.Bytes(content.Bytes, attachment.ContentType);
    }
}
