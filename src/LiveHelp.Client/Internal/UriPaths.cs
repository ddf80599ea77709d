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
}
