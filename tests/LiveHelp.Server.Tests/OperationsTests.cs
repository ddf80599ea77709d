namespace LiveHelp.Server.Tests;

public sealed class OperationsTests : ServerTest
{
    [Fact]
    public async Task Readiness_answers_healthy_while_the_store_answers()
    {
        using var http = Host.Http();

        var response = await http.GetAsync("/readyz");

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_healthcheck_command_exits_zero_for_a_ready_node_and_one_for_a_missing_one()
    {
        Assert.Equal(0, await HealthProbe.RunAsync(new Uri(Host.BaseUri, "/readyz").ToString()));
        Assert.Equal(1, await HealthProbe.RunAsync($"http://127.0.0.1:{LoopbackPort.Free()}/readyz"));
    }
}
