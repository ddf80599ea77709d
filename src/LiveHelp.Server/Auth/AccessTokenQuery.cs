using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace LiveHelp.Server.Auth;

/// <summary>
/// Browsers cannot set headers on WebSockets (nor on EventSource), so hub clients pass their token as the
/// <c>access_token</c> query parameter. Logged URLs would carry it, from the host's "Request starting" line on, so the
/// server is wrapped: before the host sees a request, the parameter leaves the URL and, on the hub, becomes the
/// Authorization header, the only place <see cref="TokenAuthentication"/> reads. Elsewhere it is dropped.
/// </summary>
internal static class AccessTokenQuery
{
    private const string Parameter = "access_token";

    /// <summary>Wraps the registered server (Kestrel, added by the web host's defaults before the app's services).</summary>
    public static void HideFromUrls(IServiceCollection services)
    {
        var server = services.LastOrDefault(d => d.ServiceType == typeof(IServer) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("LiveHelp needs a web server registered before AddLiveHelp.");
        services.Remove(server);
        services.AddSingleton<IServer>(sp => new Server(server switch
        {
            { ImplementationInstance: IServer instance } => instance,
            { ImplementationFactory: { } factory } => (IServer)factory(sp),
            _ => (IServer)ActivatorUtilities.CreateInstance(sp, server.ImplementationType!),
        }));
    }

    /// <summary>Takes the token out of the request line; true and the token when there was one.</summary>
    private static bool TryTake(IHttpRequestFeature request, out string token)
    {
        token = "";
        if (!request.QueryString.Contains(Parameter, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var query = QueryHelpers.ParseQuery(request.QueryString);
        if (!query.Remove(Parameter, out var values))
        {
            return false;
        }
        token = values.ToString();
        var rest = QueryString.Create(query).ToUriComponent();
        request.QueryString = rest;
        var target = request.RawTarget;
        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        request.RawTarget = (queryStart < 0 ? target : target[..queryStart]) + rest;
        return true;
    }

    private sealed class Server(IServer inner) : IServer
    {
        public IFeatureCollection Features => inner.Features;

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => inner.StartAsync(new Application<TContext>(application), cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

        public void Dispose() => inner.Dispose();
    }

    private sealed class Application<TContext>(IHttpApplication<TContext> inner) : IHttpApplication<TContext>
        where TContext : notnull
    {
        public TContext CreateContext(IFeatureCollection contextFeatures)
        {
            var request = contextFeatures.GetRequiredFeature<IHttpRequestFeature>();
            if (TryTake(request, out var token)
                && new PathString(request.Path).StartsWithSegments(Core.Contracts.Hub.Path)
                && request.Headers.Authorization.Count == 0)
            {
                request.Headers.Authorization = "Bearer " + token;
            }
            return inner.CreateContext(contextFeatures);
        }

        public Task ProcessRequestAsync(TContext context) => inner.ProcessRequestAsync(context);

        public void DisposeContext(TContext context, Exception? exception) => inner.DisposeContext(context, exception);
    }
}
