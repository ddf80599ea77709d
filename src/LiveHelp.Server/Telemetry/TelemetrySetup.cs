using System.Net;
using LiveHelp.Core;
using LiveHelp.Persistence;
using LiveHelp.Redis;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LiveHelp.Server.Telemetry;

/// <summary>OpenTelemetry for LiveHelp: metrics on <c>/metrics</c> for Prometheus, and metrics and traces over OTLP when an endpoint is set.</summary>
internal static class TelemetrySetup
{
    public const string MetricsPath = "/metrics";

    /// <summary>Supervisors and admins, or anyone calling from a configured network (a Prometheus server without a token).</summary>
    public const string Scrapers = "metrics-scrapers";

    // The stores and the Redis link measure themselves with plain .NET instruments; Npgsql (its commands and pool) and
    // SignalR (hub calls) emit their own.
    private static readonly string[] Meters =
        [LiveHelpMetrics.Name, StoreTelemetry.Name, RedisTelemetry.Name, "Npgsql", "Microsoft.AspNetCore.Http.Connections"];

    private static readonly string[] Sources = [LiveHelpMetrics.Name, StoreTelemetry.Name, "Npgsql", "Microsoft.AspNetCore.SignalR.Server"];

    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LiveHelpMetrics>();
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("livehelp"))
            .WithMetrics(m => m.AddMeter(Meters).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation()
                // Each scrape reads fresh values: two nodes scraped a moment apart agree on the queue.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        var endpoint = builder.Configuration[$"{LiveHelpOptions.Section}:{nameof(LiveHelpOptions.Metrics)}:{nameof(MetricsOptions.OtlpEndpoint)}"];
        var standardEndpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (!string.IsNullOrWhiteSpace(endpoint) || !string.IsNullOrWhiteSpace(standardEndpoint))
        {
            // Traces are only worth recording when they go somewhere.
            otel.WithTracing(t => t.AddSource(Sources).AddAspNetCoreInstrumentation(o => o.Filter = http => !IsScrape(http)));
            if (!string.IsNullOrWhiteSpace(endpoint))
            {
                otel.UseOtlpExporter(OtlpExportProtocol.Grpc, new Uri(endpoint));
            }
            else
            {
                // The standard OTEL_EXPORTER_OTLP_* variables decide protocol, headers and endpoint.
                otel.UseOtlpExporter();
            }
        }
        builder.Services.AddAuthorizationBuilder().AddPolicy(Scrapers, p => p.RequireAssertion(context =>
            context.User.IsInRole(Roles.Supervisor) || context.User.IsInRole(Roles.Admin)
            || (context.Resource is HttpContext http && FromAllowedNetwork(http))));
    }

    public static void Map(WebApplication app) =>
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(Scrapers).ExcludeFromDescription();

    private static bool IsScrape(HttpContext http) => http.Request.Path.StartsWithSegments(MetricsPath);

    private static bool FromAllowedNetwork(HttpContext http)
    {
        if (http.Connection.RemoteIpAddress is not { } address)
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var networks = http.RequestServices.GetRequiredService<IOptions<LiveHelpOptions>>().Value.Metrics.AllowedNetworks;
        return networks.Any(n => IPNetwork.TryParse(n, out var network) && network.Contains(address));
    }
}
