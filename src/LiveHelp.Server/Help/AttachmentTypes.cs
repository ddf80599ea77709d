using System.Globalization;
using LiveHelp.Core;

namespace LiveHelp.Server.Help;

/// <summary>
/// The files a conversation takes, told apart by their first bytes and never by their name or the type a client
/// claims: PNG, JPEG, GIF and WebP images, and PDF. Anything else (SVG, HTML, scripts, unknown) is refused.
/// </summary>
public static class AttachmentTypes
{
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string WebP = "image/webp";
    public const string Pdf = "application/pdf";

    /// <summary>Longest file name kept; a longer one loses its start, so its extension stays.</summary>
    public const int MaxFileNameLength = 200;

    /// <summary>The type the bytes are, or null when they are none of the accepted ones.</summary>
    public static string? Sniff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }
        if (bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8))
        {
            return Gif;
        }
        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        {
            return WebP;
        }
        return bytes.StartsWith("%PDF-"u8) ? Pdf : null;
    }

    /// <summary>The refusal of a file over the size limit, whether seen from its request or its bytes.</summary>
    public static LiveHelpException TooLarge(long limit) => new(ErrorCodes.TooLarge, $"the file is larger than {limit} bytes");

    public static bool IsImage(string contentType) => contentType.StartsWith("image/", StringComparison.Ordinal);

    /// <summary>
    /// The name to show for a file: its last path segment without control characters, at most
    /// <see cref="MaxFileNameLength"/> characters; "attachment" with the type's extension when nothing is left.
    /// </summary>
    public static string FileName(string? given, string contentType)
    {
        var name = (given ?? "")[((given ?? "").LastIndexOfAny(['/', '\\']) + 1)..];
        name = string.Concat(name.Where(c => !char.IsControl(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format)).Trim();
        if (name.Length > MaxFileNameLength)
        {
            var start = name.Length - MaxFileNameLength;
            name = name[(char.IsLowSurrogate(name[start]) ? start + 1 : start)..];
        }
        return name.Length > 0 ? name : "attachment" + Extension(contentType);
    }

    private static string Extension(string contentType) => contentType switch
    {
        Png => ".png",
        Jpeg => ".jpg",
        Gif => ".gif",
        WebP => ".webp",
        _ => ".pdf",
    };
}
