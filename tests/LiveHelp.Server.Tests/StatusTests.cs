using System.Net.Http.Json;
using System.Text.Json;

namespace LiveHelp.Server.Tests;

public sealed class StatusTests : ServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:MaxMessageLength"] = "1500",
    };

    [Fact]
    public async Task The_status_tells_widgets_and_consoles_who_is_online_and_the_longest_message_taken()
    {
        await AgentAsync("ann");
        using var http = Host.Http();

        var status = await http.GetFromJsonAsync<JsonElement>("/api/status");

        Assert.Equal(1, status.GetProperty("agentsOnline").GetInt32());
        Assert.Equal(1500, status.GetProperty("maxMessageLength").GetInt32());
    }
}
