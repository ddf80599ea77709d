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
        if (text.Length > maxLength)
        {
            throw new LiveHelpException(ErrorCodes.TooLong, $"text is longer than {maxLength} characters");
        }
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
        if (value is not null && value.Length > maxLength)
        {
            throw new LiveHelpException(ErrorCodes.TooLong, $"{name} is longer than {maxLength} characters");
        }
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
