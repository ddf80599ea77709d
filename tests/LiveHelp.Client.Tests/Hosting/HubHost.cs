using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Client.Tests.Hosting;

/// <summary>
/// A real Kestrel server on 127.0.0.1 with a free port, hosting the test hubs:
/// /hub (TestHub), /secure/hub (TestHub behind a bearer-token check) and /mini (a small LiveHelp hub and HTTP API),
/// speaking JSON and MessagePack.
/// </summary>
public sealed class HubHost : IAsyncDisposable
{
    public const string SecretToken = "secret-token";

    /// <summary>On /secure, answered with 503: a server that is there but cannot take the connection now.</summary>
    public const string UnavailableToken = "unavailable";

    private readonly WebApplication _app;

    private HubHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public ServerLog Log => _app.Services.GetRequiredService<ServerLog>();

    public MiniStore Store => _app.Services.GetRequiredService<MiniStore>();

    public Uri Url(string path) => new(BaseUri, path.TrimStart('/'));

    public static async Task<HubHost> StartAsync(Action<HubOptions>? configureHub = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<ServerLog>();
        builder.Services.AddSingleton<MiniStore>();
        builder.Services
            .AddSignalR(options =>
            {
                options.MaximumParallelInvocationsPerClient = 4;
                options.MaximumReceiveMessageSize = 8 * 1024 * 1024;
                configureHub?.Invoke(options);
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            .AddMessagePackProtocol();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

        var app = builder.Build();
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            var log = context.RequestServices.GetRequiredService<ServerLog>();
            var path = context.Request.Path;
            if (path.Value?.EndsWith("/negotiate", StringComparison.Ordinal) == true)
            {
                log.Negotiated(path.Value, context.Request.Headers.Authorization.ToString());
            }
            if (path.StartsWithSegments("/secure"))
            {
                var header = context.Request.Headers.Authorization.ToString();
                var query = context.Request.Query["access_token"].ToString();
                if (header == "Bearer " + UnavailableToken || query == UnavailableToken)
                {
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return;
                }
                if (header != "Bearer " + SecretToken && query != SecretToken)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }
            }
            await next(context);
        });
        app.MapHub<TestHub>("/hub");
        app.MapHub<TestHub>("/secure/hub");
        app.MapHub<MiniLiveHelpHub>("/mini/hub");
        MiniApi.Map(app);

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HubHost(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
