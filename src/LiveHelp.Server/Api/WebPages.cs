using Microsoft.Extensions.FileProviders;

namespace LiveHelp.Server.Api;

/// <summary>The bundled web assets (web-widget/, built into the output's web/ folder): demo page, widget, device page, console.</summary>
internal static class WebPages
{
    // LiveHelp's own pages load scripts only from LiveHelp and never inline: a second line of defence for untrusted text.
    // They talk only to their own node ('self' covers its ws:/wss: too); no <base> and no form posts anywhere.
    private const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

    // Calls run in the widget (the demo shop and /mayday: camera, microphone, the customer's screen) and in the
    // console (camera and microphone; agents do not share their screen). Nothing else is asked for.
    private const string Denied = "geolocation=(), payment=(), usb=()";
    private const string WidgetPermissions = "camera=(self), microphone=(self), display-capture=(self), " + Denied;
    private const string ConsolePermissions = "camera=(self), microphone=(self), display-capture=(), " + Denied;

    private static readonly Dictionary<string, string> Pages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["index.html"] = WidgetPermissions,
        ["console.html"] = ConsolePermissions,
        ["mayday.html"] = WidgetPermissions,
    };

    /// <summary>Nothing LiveHelp sends (API answers, transcripts, scripts, pages) is to be read by a browser as another type.</summary>
    public static Task NoSniff(HttpContext context, RequestDelegate next)
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return next(context);
    }

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
                // The loader's address is in customers' pages, so it must not be cached for long; the rest is loaded by it.
                ctx.Context.Response.Headers.CacheControl = "public, max-age=300";
                if (Pages.TryGetValue(ctx.File.Name, out var permissions))
                {
                    AddPageHeaders(ctx.Context.Response, permissions);
                }
            },
        });
        foreach (var (path, file) in new[] { ("/", "index.html"), ("/console", "console.html"), ("/mayday", "mayday.html") })
        {
            app.MapGet(path, (HttpContext http) =>
            {
                AddPageHeaders(http.Response, Pages[file]);
                return Results.File(Path.Combine(root, file), "text/html; charset=utf-8");
            });
        }
    }

    private static void AddPageHeaders(HttpResponse response, string permissions)
    {
        response.Headers.ContentSecurityPolicy = PagePolicy;
        // Same-origin requests keep their Origin header (the origin check needs it; no-referrer would make it "null").
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers["Permissions-Policy"] = permissions;
    }
}
