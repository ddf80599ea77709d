using LiveHelp.Redis.Tests.Backplane.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LiveHelp.Redis.Tests.Backplane;

/// <summary>The one DI entry point, in a real host, as the server uses it.</summary>
public sealed class RedisBackplaneRegistrationTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task AddLiveHelpRedis_makes_every_hub_use_the_backplane_with_a_readiness_check()
    {
        using var host = Build(o =>
        {
            o.Configuration = fixture.Server.Configuration;
            o.Prefix = "registration";
        });

        await host.StartAsync();

        var services = host.Services;
        Assert.IsType<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisHubLifetimeManager<TestHub>>(services.GetRequiredService<HubLifetimeManager<TestHub>>());
        Assert.True(services.GetRequiredService<RedisConnection>().IsConnected);
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries["redis"].Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_connection_registered_before_is_the_one_the_backplane_shares()
    {
        using var shared = RedisConnection.Connect(new RedisOptions { Configuration = fixture.Server.Configuration, Prefix = "registration" });
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(shared);
        builder.Services.AddSignalR().AddLiveHelpRedis(o => o.Configuration = fixture.Server.Configuration);
        using var host = builder.Build();

        await host.StartAsync();

        Assert.Same(shared, host.Services.GetRequiredService<RedisConnection>());
        // The backplane gets the very same multiplexer: one Redis connection per node.
        var backplane = host.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions>>().Value;
        Assert.Same(await shared.ForBackplaneAsync(), await backplane.ConnectionFactory!(TextWriter.Null));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_missing_connection_string_fails_the_start_up_with_a_clear_message()
    {
        using var host = Build(o => o.Configuration = " ");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Redis connection string", error.Message);
    }

    private static IHost Build(Action<RedisOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSignalR().AddLiveHelpRedis(configure);
        return builder.Build();
    }
}
