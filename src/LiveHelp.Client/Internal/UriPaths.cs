namespace LiveHelp.Client.Internal;

internal static class UriPaths
{
    /// <summary>Adds a path segment, keeping any path and query the base already has.</summary>
    public static Uri Append(Uri baseUri, string segment)
    {
        var builder = new UriBuilder(baseUri);
        builder.Path = builder.Path.TrimEnd('/') + "/" + segment.TrimStart('/');
        return builder.Uri;
    }

    public static Uri AddQuery(Uri uri, string name, string value)
    {
        var builder = new UriBuilder(uri);
        var query = builder.Query.TrimStart('?');
        var pair = Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);
        builder.Query = query.Length == 0 ? pair : query + "&" + pair;
        return builder.Uri;
    }

    public static Uri ToWebSocket(Uri uri)
    {
        var builder = new UriBuilder(uri);
        builder.Scheme = builder.Scheme switch
        {
            "http" => "ws",
            "https" => "wss",
            "ws" or "wss" => builder.Scheme,
            _ => throw new ArgumentException($"Unsupported URL scheme '{builder.Scheme}'.", nameof(uri)),
        };
        return builder.Uri;
    }
}
