using LiveHelp.Core.Conversations;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LiveHelp.Server;

/// <summary>`LiveHelp.Server healthcheck URL`: exits 0 when the URL answers 2xx, for container health checks without curl.</summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync(string url)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            using var response = await http.GetAsync(url);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 1;
        }
    }
}

/// <summary>Ready means the store answers.</summary>
internal sealed class StoreHealthCheck(IConversationStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await store.FindSettingAsync("signing-key", ct);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("the conversation store does not answer", e);
        }
    }
}
