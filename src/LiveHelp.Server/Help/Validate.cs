using LiveHelp.Core;

namespace LiveHelp.Server.Help;

/// <summary>Input checks shared by the hub and the HTTP API; each failure is a stable error code.</summary>
public static class Validate
{
    public static void Text(string? text, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, "text must not be empty");
        }
        Optional(text, "text", maxLength);
    }

    public static void Required(string? value, string name, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, $"{name} is required");
        }
        Optional(value, name, maxLength);
    }

    public static void Optional(string? value, string name, int maxLength)
    {
        if (value is null)
        {
            return;
        }
        if (value.Length > maxLength)
        {
            throw new LiveHelpException(ErrorCodes.TooLong, $"{name} is longer than {maxLength} characters");
        }
        if (!IsStorableText(value))
        {
            throw new LiveHelpException(ErrorCodes.InvalidInput, $"{name} holds a NUL or a broken character");
        }
    }

    /// <summary>Every store keeps text exactly, so text that not every store can keep (NUL, lone surrogates) is refused up front.</summary>
    public static bool IsStorableText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c) || (char.IsHighSurrogate(c) && (i + 1 == text.Length || !char.IsLowSurrogate(text[++i]))))
            {
                return false;
            }
        }
        return true;
    }

    public static void Id(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64)
        {
            throw new LiveHelpException(ErrorCodes.NotFound, "conversation not found");
        }
    }
}

internal static class Ids
{
    public static string New(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N");
}
