using System.Text.Json;
using System.Text.Json.Serialization;
using LiveHelp.Core;
using LiveHelp.Core.Calls;
using LiveHelp.Core.Conversations;
using LiveHelp.Core.Reports;
using LiveHelp.Core.Routing;
using LiveHelp.Persistence;
using LiveHelp.Server.Api;
using LiveHelp.Server.Auth;
using LiveHelp.Server.Help;
using LiveHelp.Server.Hubs;
using LiveHelp.Server.Telemetry;
using MessagePack.Resolvers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server;

/// <summary>The composition root: <c>builder.AddLiveHelp()</c> and <c>app.MapLiveHelp()</c>.</summary>
public static class LiveHelpExtensions
{
    /// <summary>Largest request body an anonymous endpoint reads, in bytes.</summary>
    public const long AnonymousBodyLimit = 16 * 1024;

    public static WebApplicationBuilder AddLiveHelp(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var signalR = services.AddSignalR();
        ScaleOut.Add(builder, signalR);
        services.AddOptions<LiveHelpOptions>().Bind(builder.Configuration.GetSection(LiveHelpOptions.Section))
            .Validate(o => o.MaxMessageLength > 0 && o.MaxAttachmentSize > 0 && o.AttachmentsPerMinute > 0 && o.MessagesPerSecond > 0 && o.MessageBurst > 0 && o.MaxReceiveMessageSize > 0
                && o.SignIn.FailuresPerAccount > 0 && o.SignIn.FailuresPerAddress > 0 && o.SignIn.Window > TimeSpan.Zero
                && o.StaffRecheckInterval > TimeSpan.Zero, "LiveHelp limits must be positive")
            .Validate(o => o.Metrics.AllowedNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "LiveHelp:Metrics:AllowedNetworks must be CIDR networks such as 10.0.0.0/8")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Node.NodeId) && o.Node.HeartbeatInterval > TimeSpan.Zero
                && o.Node.HeartbeatTtl > o.Node.HeartbeatInterval, "LiveHelp:Node needs a NodeId, and a HeartbeatTtl longer than its positive HeartbeatInterval")
            .Validate(o => o.Presence.ReconnectGrace >= TimeSpan.Zero && o.Presence.LeftNoticeAfter >= TimeSpan.Zero && o.Presence.CloseAfter >= TimeSpan.Zero,
                "LiveHelp:Presence times must not be negative")
            .Validate(o => o.CallSilenceTimeout > CallRules.AliveInterval, "LiveHelp:CallSilenceTimeout must be longer than the 10 s between a call's reports")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ServerSecrets>();
        services.AddSingleton<AllowedOrigins>();
        services.AddSingleton<ICorsPolicyProvider, WidgetCors>();
        services.AddCors();
        services.AddSingleton(sp => new AccessTokens(sp.GetRequiredService<ServerSecrets>().SigningKey, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SignInThrottle>();
        AccessTokenQuery.HideFromUrls(services);

        services.TryAddSingleton<IConversationStore>(sp => new SqliteConversationStore(SqliteFile(sp)));
        services.TryAddSingleton<IRoutingStore>(sp =>
            new SqliteRoutingStore(SqliteFile(sp), sp.GetRequiredService<IOptions<LiveHelpOptions>>().Value.Node.NodeId));
        services.TryAddSingleton<ICallStore, InMemoryCallStore>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IConversationStore>() as IReportStore
            ?? throw new InvalidOperationException("The conversation store computes no reports."));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<LiveHelpOptions>>().Value.Routing);
        services.AddSingleton<Router>();
        services.AddSingleton<QueuePlaces>();
        services.AddHostedService(sp => sp.GetRequiredService<QueuePlaces>());
        services.AddSingleton<Conversations>();
        services.AddSingleton<CallDesk>();
        services.AddSingleton<Chat>();
        services.AddSingleton<HelpQueue>();
        // The store of record keeps the customers' presence beside the routing state: the same store, by its other contract.
        services.TryAddSingleton(sp => (ICustomerPresenceStore)sp.GetRequiredService<IRoutingStore>());
        services.AddSingleton<Presence>();
        services.AddHostedService<Bootstrap>();
        services.AddHostedService<NodeHeartbeat>();
        services.AddHostedService<RoutingClock>();
        services.AddSingleton<StaffConnections>();
        services.AddHostedService(sp => sp.GetRequiredService<StaffConnections>());
        TelemetrySetup.Add(builder);
        ApiDocs.Add(services);
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        AttachmentsApi.AddUploadLimit(services);

        services.AddAuthentication(TokenAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(StaffApi.Staff, p => p.RequireRole(Roles.Agent, Roles.Supervisor, Roles.Admin))
            .AddPolicy(StaffApi.Supervisors, p => p.RequireRole(Roles.Supervisor, Roles.Admin))
            .AddPolicy(StaffApi.Admins, p => p.RequireRole(Roles.Admin));

        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions.TryAdd("code", Problems.CodeOf(ctx.ProblemDetails.Status ?? 500)));
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        services.Configure<HubOptions>(o =>
        {
            o.MaximumReceiveMessageSize = builder.Configuration.GetValue<long?>($"{LiveHelpOptions.Section}:{nameof(LiveHelpOptions.MaxReceiveMessageSize)}")
                ?? new LiveHelpOptions().MaxReceiveMessageSize;
            o.AddFilter<ErrorCodeFilter>();
            o.AddFilter<StaffConnections>();
            o.AddFilter<HubTelemetry>();
        });
        // JSON for the browser widget and console, MessagePack for the .NET SDK; both answer refusals with a code.
        signalR.AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new TolerantEnumConverter()));
        signalR.AddMessagePackProtocol(o => o.SerializerOptions = o.SerializerOptions.WithResolver(
            CompositeResolver.Create(CompilerListResolver.Instance, o.SerializerOptions.Resolver)));
        CodedHubProtocol.Register(services);
        builder.Logging.AddFilter(ErrorCodeFilter.DispatcherCategory, LogLevel.None);
        builder.Logging.AddFilter(ErrorCodeFilter.ConnectionHandlerCategory, LogLevel.None);
        return builder;
    }

    /// <summary>The embedded database file of a node that has no other store configured.</summary>
    private static string SqliteFile(IServiceProvider sp)
    {
        var o = sp.GetRequiredService<IOptions<LiveHelpOptions>>().Value;
        var root = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
        var path = Path.GetFullPath(Path.Combine(root, o.DataDirectory, "livehelp.db"));
        return new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path }.ToString();
    }

    public static WebApplication MapLiveHelp(this WebApplication app)
    {
        // These take (context, RequestDelegate): the Func<Task> form allocates a closure per request, and a hub request lasts as long as its connection.
        app.Use(WebPages.NoSniff);
        app.Use(RefuseHubWhileStopping);
        app.Use(AllowedOrigins.Guard);
        app.UseCors();
        app.UseStatusCodePages();
        app.Use(Problems.AnswerStoreOutage);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        var api = app.MapGroup("/api").RequireAuthorization().AddEndpointFilter(Problems.Filter);
        ((IEndpointConventionBuilder)api).Finally(LimitAnonymousBodies);
        api.MapAuthApi();
        api.MapStaffApi();
        api.MapTranscriptApi();
        api.MapAttachmentsApi();
        api.MapReportApi();
        api.MapSiteApi();
        api.MapCallsApi();
        api.MapHistoryApi();

        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapHealthChecks("/readyz");
        TelemetrySetup.Map(app);
        ApiDocs.Map(app);
        app.MapWebPages();
        app.MapHub<HelpHub>(LiveHelp.Core.Contracts.Hub.Path);
        return app;
    }

    /// <summary>
    /// Anyone may call the anonymous endpoints (visitors, sign-in), so their bodies are kept small: a larger one is
    /// refused with 413 <c>too_large</c> before it is read. Staff endpoints keep the server's limit.
    /// </summary>
    private static void LimitAnonymousBodies(EndpointBuilder endpoint)
    {
        if (endpoint.Metadata.Any(m => m is IAllowAnonymous) && !endpoint.Metadata.Any(m => m is IRequestSizeLimitMetadata))
        {
            endpoint.Metadata.Add(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(AnonymousBodyLimit));
        }
    }

    /// <summary>
    /// A stopping node takes no new hub connections, so reconnecting clients go to another node (or wait for this
    /// one to come back) instead of holding up its shutdown.
    /// </summary>
    private static Task RefuseHubWhileStopping(HttpContext context, RequestDelegate next)
    {
        if (context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested
            && context.Request.Path.StartsWithSegments(LiveHelp.Core.Contracts.Hub.Path))
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        }
        return next(context);
    }
}
