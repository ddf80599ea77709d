using Microsoft.Extensions.FileProviders;

namespace LiveHelp.Server.Api;

/// <summary>The bundled web assets (web-widget/, built into the output's web/ folder): demo page, widget, device page, console.</summary>
internal static class WebPages
{
    // LiveHelp's own pages load scripts only from LiveHelp and never inline: a second line of defence for untrusted text.
    private const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; frame-ancestors 'self'";

    public static void MapWebPages(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "web");
        if (!Directory.Exists(root))
        {
            return;
        }
        var files = new PhysicalFileProvider(root);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = ctx =>
            {
                ctx.Context.Response.Headers.XContentTypeOptions = "nosniff";
                // The loader's address is in customers' pages, so it must not be cached for long; the rest is loaded by it.
                ctx.Context.Response.Headers.CacheControl = "public, max-age=300";
            },
        });
        foreach (var (path, file) in new[] { ("/", "index.html"), ("/console", "console.html"), ("/mayday", "mayday.html") })
        {
            app.MapGet(path, (HttpContext http) =>
            {
                http.Response.Headers.ContentSecurityPolicy = PagePolicy;
                http.Response.Headers.XContentTypeOptions = "nosniff";
                return Results.File(Path.Combine(root, file), "text/html; charset=utf-8");
            });
        }
    }
}
