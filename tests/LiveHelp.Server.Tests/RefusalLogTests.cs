using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Server.Tests;

/// <summary>A refused call is an answer to its caller, not a fault of the server: the operator's log stays quiet.</summary>
public sealed class RefusalLogTests : ServerTest
{
    private readonly LogCapture _logs = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // Everything down to Debug, as an operator chasing a problem would set it.
        ["Logging:LogLevel:Default"] = "Debug",
    };

    protected override ILoggerProvider Logs => _logs;

    [Fact]
    public async Task A_burst_of_refused_calls_writes_no_warning_or_error()
    {
        var (customer, ann, id) = await ConversationAsync(await AgentAsync("ann"));
        var sends = Enumerable.Range(1, 300).Select(i => customer.SendMessageAsync(id, $"flood {i}")).ToList();
        var refusals = new List<string>();
        foreach (var send in sends)
        {
            try
            {
                await send;
            }
            catch (LiveHelpHubException e)
            {
                refusals.Add(e.Code);
            }
        }
        refusals.Add((await RefusedAsync(() => customer.ResumeAsync("c_" + Guid.NewGuid().ToString("N"), 0))).Code);
        refusals.Add((await RefusedAsync(() => ann.AddNoteAsync(id, new string('x', 5000)))).Code);
        refusals.Add((await RefusedAsync(() => customer.Connection.InvokeAsync<ResumeResult>(Hub.Methods.Resume, id, "abc"))).Code);
        refusals.Add((await RefusedAsync(() => customer.Connection.InvokeAsync(Hub.Methods.SetStatus, AgentStatus.Online))).Code);
        await ann.CloseAsync(id);
        await customer.RateAsync(id, 5);
        refusals.Add((await RefusedAsync(() => customer.RateAsync(id, 4))).Code);

        Assert.Contains(ErrorCodes.RateLimited, refusals);
        Assert.Contains(ErrorCodes.NotFound, refusals);
        Assert.Contains(ErrorCodes.TooLong, refusals);
        Assert.Contains(ErrorCodes.InvalidInput, refusals);
        Assert.Contains(ErrorCodes.Forbidden, refusals);
        Assert.Contains(ErrorCodes.AlreadyRated, refusals);
        var loud = _logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.ToString()).ToList();
        Assert.Empty(loud);
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Debug && e.Message.StartsWith("Refused SendMessage: rate_limited: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fault_of_the_server_is_still_logged_as_an_error_once()
    {
        var (customer, _, id) = await ConversationAsync(await AgentAsync("ann"));
        // A damaged database: the messages table is gone.
        await using (var database = new SqliteConnection($"Data Source={Path.Combine(Host.DataDirectory, "data", "livehelp.db")}"))
        {
            await database.OpenAsync();
            await using var damage = database.CreateCommand();
            damage.CommandText = "ALTER TABLE messages RENAME TO messages_moved_away;";
            await damage.ExecuteNonQueryAsync();
        }

        var failed = await RefusedAsync(() => customer.SendMessageAsync(id, "Is anyone there?"));

        Assert.Equal(LiveHelpHubException.UnknownCode, failed.Code);
        var error = Assert.Single(_logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToList());
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("SendMessage", error.Message);
        Assert.IsType<SqliteException>(error.Exception);
    }
}
