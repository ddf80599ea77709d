using System.Diagnostics;
using System.Globalization;
using LiveHelp.Core.Conversations;
using LiveHelp.Persistence;
using LiveHelp.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>
/// The history search on 100,000 conversations (three messages each, one in a hundred about a refund) in SQLite and
/// in PostgreSQL: a text search, filtered pages and an agent's own list, each against a primary-key lookup on the
/// same store in the same run, through the store's own code.
/// </summary>
internal static class History
{
    private const int Rounds = 40;

    public static async Task<Section> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var count = options.Smoke ? 5_000 : 100_000;
        var section = new Section("History search: 100,000 conversations");
        var table = section.Table("Store", "Query", "Rows", "p50 ms", "p95 ms");
        var seeding = new List<string>();

        var directory = Path.Combine(Path.GetTempPath(), "livehelp-bench-history", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var file = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "livehelp.db") }.ToString();
            var sqlite = new SqliteConversationStore(file);
            await sqlite.InitializeAsync(ct);
            var seeded = Stopwatch.StartNew();
            await using (var connection = new SqliteConnection(file))
            {
                await connection.OpenAsync(ct);
                await ExecuteAsync(connection, Seed(count, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)", "n"), count, ct);
            }
            seeding.Add(string.Create(CultureInfo.InvariantCulture, $"SQLite {seeded.Elapsed.TotalSeconds:0.0} s"));
            await MeasureAsync("SQLite (FTS5)", sqlite, count, table, ct);

            await using var server = await PostgresServer.StartAsync();
            var connectionString = await server.CreateDatabaseAsync();
            await using var postgres = new PostgresConversationStore(connectionString);
            await postgres.InitializeAsync(ct);
            seeded.Restart();
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync(ct);
                await ExecuteAsync(connection, Seed(count, "WITH n(i) AS (SELECT generate_series(1, @count))", "n") + "ANALYZE;", count, ct);
            }
            seeding.Add(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL {seeded.Elapsed.TotalSeconds:0.0} s"));
            await MeasureAsync("PostgreSQL (GIN)", postgres, count, table, ct);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        section.Say(string.Create(CultureInfo.InvariantCulture,
            $"{count:N0} closed conversations over 70 days, 4 topics, 20 agents, three messages each (one conversation in a hundred asks for a refund), seeded with one SQL statement per table in one transaction ({string.Join(", ", seeding)}). Each query runs {Rounds} times after a warm-up, through the store's `SearchHistoryAsync` as the API calls it (a page of 50, newest first); the floor is `FindConversationAsync`, a primary-key lookup, on the same store in the same run."));
        return section;
    }

    private static async Task MeasureAsync(string store, SqlConversationStore history, int count, Table table, CancellationToken ct)
    {
        var start = Start;
        var queries = new (string Name, HistoryQuery Query)[]
        {
            ("text \"refund\"", new HistoryQuery { Text = "refund" }),
            ("text \"refund\" + topic + rating", new HistoryQuery { Text = "refund", Topic = "orders", Rating = 3 }),
            ("text, no match", new HistoryQuery { Text = "kangaroo" }),
            ("text in every conversation (\"order\")", new HistoryQuery { Text = "order" }),
            ("no filter (first page)", new HistoryQuery()),
            ("topic + status + rating + one day", new HistoryQuery { Topic = "billing", Status = ConversationStatus.Closed, Rating = 2, From = start.AddMinutes(count / 2), To = start.AddMinutes(count / 2).AddDays(1) }),
            ("one agent's own (took part)", new HistoryQuery { ParticipantId = "agent-7" }),
        };

        var floor = await TimeAsync(async () => (await history.FindConversationAsync("c-" + (count / 2), ct)) is null ? 0 : 1);
        table.Row(store, "floor: conversation by id", floor.Rows.ToString(CultureInfo.InvariantCulture), Ms(floor.P50), Ms(floor.P95));
        foreach (var (name, query) in queries)
        {
            var timed = await TimeAsync(async () => (await history.SearchHistoryAsync(query, ct)).Entries.Count);
            table.Row(store, name, timed.Rows.ToString(CultureInfo.InvariantCulture), Ms(timed.P50), Ms(timed.P95));
        }
        var pageTwo = (await history.SearchHistoryAsync(new HistoryQuery { Text = "refund" }, ct)).Next;
        var second = await TimeAsync(async () => (await history.SearchHistoryAsync(new HistoryQuery { Text = "refund", After = pageTwo }, ct)).Entries.Count);
        table.Row(store, "text \"refund\", second page", second.Rows.ToString(CultureInfo.InvariantCulture), Ms(second.P50), Ms(second.P95));
    }

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Conversations one minute apart, then three messages each (customer, agent, customer), as one INSERT ... SELECT
    /// per table over the numbers 1..@count, in one transaction.
    /// </summary>
    private static string Seed(int count, string numbers, string n)
    {
        var at = $"({Start.UtcTicks} + CAST({n}.i AS BIGINT) * 600000000)";
        var details = "'{\"details\":\"Order ' || " + n + ".i || ' question\",\"name\":\"Customer ' || " + n + ".i || '\"}'";
        return $"""
            {numbers}
            INSERT INTO conversations (id, visitor_id, topic, mode, status, pre_qualification, created_at, created_at_offset,
                enqueued_at, enqueued_at_offset, requeued, agent_id, agent_name, first_assigned_at, first_assigned_at_offset,
                closed_at, closed_at_offset, closed_by, rating, customer_read_seq, agent_read_seq, version)
            SELECT 'c-' || {n}.i, 'v-' || {n}.i,
                CASE {n}.i % 4 WHEN 0 THEN 'billing' WHEN 1 THEN 'general' WHEN 2 THEN 'devices' ELSE 'orders' END,
                CASE WHEN {n}.i % 10 = 0 THEN 'Mayday' ELSE 'Chat' END, 'Closed',
                {details},
                {at}, 0, {at}, 0, {False(n)}, 'agent-' || ({n}.i % 20), 'Agent ' || ({n}.i % 20), {at} + 100000000, 0,
                {at} + 3000000000, 0, 'agent', {n}.i % 5 + 1, 3, 3, 0
            FROM {n};
            {numbers}
            INSERT INTO messages (conversation_id, seq, kind, sender_id, sender_name, text, sent_at, sent_at_offset)
            SELECT 'c-' || {n}.i, m.seq, m.kind, CASE m.kind WHEN 'Agent' THEN 'agent-' || ({n}.i % 20) ELSE 'v-' || {n}.i END, NULL,
                CASE m.seq
                    WHEN 1 THEN CASE WHEN {n}.i % 100 = 7 THEN 'I was charged twice for order ' || {n}.i || ', can I get a refund?'
                                     ELSE 'Where is my parcel for order ' || {n}.i || '? It was due on day ' || ({n}.i % 28 + 1) END
                    WHEN 2 THEN 'Let me check order ' || {n}.i || ' for you, one moment please'
                    ELSE 'Thank you, that answers my question about delivery slot ' || ({n}.i % 50) END,
                {at} + m.seq * 10000000, 0
            FROM {n} CROSS JOIN (SELECT 1 AS seq, 'Customer' AS kind UNION ALL SELECT 2, 'Agent' UNION ALL SELECT 3, 'Customer') AS m;
            """;
    }

    // SQLite stores booleans as 0/1, PostgreSQL wants false: the one column where the seeds differ.
    private static string False(string n) => $"({n}.i < 0)";

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql, int count, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql + (connection is NpgsqlConnection ? "UPDATE conversations SET last_seq = 3;" : "");
        command.CommandTimeout = 600;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "count";
        parameter.Value = count;
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private static async Task<(int Rows, double P50, double P95)> TimeAsync(Func<Task<int>> query)
    {
        var rows = await query();
        var times = new List<double>(Rounds);
        for (var i = 0; i < Rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            await query();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (rows, times[Rounds / 2], times[(int)(Rounds * 0.95) - 1]);
    }

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
}
