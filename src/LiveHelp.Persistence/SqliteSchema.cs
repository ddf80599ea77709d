using Microsoft.Data.Sqlite;

namespace LiveHelp.Persistence;

/// <summary>
/// The schema as an ordered list of migrations. Each one runs once, in a write transaction, and is recorded in
/// <c>schema_version</c>; a new schema change is a new entry at the end, never an edit of an old one.
/// </summary>
internal static class SqliteSchema
{
    private const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER NOT NULL PRIMARY KEY,
            applied_at TEXT    NOT NULL
        ) STRICT;
        """;

    /// <summary>Timestamps are a pair of INTEGER columns: UTC ticks, and the offset in minutes.</summary>
    private static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE IF NOT EXISTS settings (
                key   TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL
            ) STRICT;

            CREATE TABLE IF NOT EXISTS agents (
                id                TEXT    NOT NULL PRIMARY KEY,
                username          TEXT    NOT NULL,
                username_key      TEXT    NOT NULL UNIQUE,
                display_name      TEXT    NOT NULL,
                password_hash     TEXT    NOT NULL,
                role              TEXT    NOT NULL,
                skills            TEXT    NOT NULL,
                max_concurrent    INTEGER NOT NULL,
                auto_accept       INTEGER NOT NULL,
                disabled          INTEGER NOT NULL,
                created_at        INTEGER NOT NULL,
                created_at_offset INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE IF NOT EXISTS topics (
                id    TEXT NOT NULL PRIMARY KEY,
                name  TEXT NOT NULL,
                skill TEXT NOT NULL
            ) STRICT;

            CREATE TABLE IF NOT EXISTS visitors (
                id                TEXT    NOT NULL PRIMARY KEY,
                user_id           TEXT,
                name              TEXT,
                email             TEXT,
                created_at        INTEGER NOT NULL,
                created_at_offset INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX IF NOT EXISTS ix_visitors_user_id ON visitors (user_id) WHERE user_id IS NOT NULL;

            CREATE TABLE IF NOT EXISTS conversations (
                id                          TEXT    NOT NULL PRIMARY KEY,
                visitor_id                  TEXT    NOT NULL,
                topic                       TEXT    NOT NULL,
                mode                        TEXT    NOT NULL,
                status                      TEXT    NOT NULL,
                pre_qualification           TEXT    NOT NULL,
                created_at                  INTEGER NOT NULL,
                created_at_offset           INTEGER NOT NULL,
                enqueued_at                 INTEGER NOT NULL,
                enqueued_at_offset          INTEGER NOT NULL,
                requeued                    INTEGER NOT NULL,
                agent_id                    TEXT,
                agent_name                  TEXT,
                first_assigned_at           INTEGER,
                first_assigned_at_offset    INTEGER,
                first_agent_reply_at        INTEGER,
                first_agent_reply_at_offset INTEGER,
                closed_at                   INTEGER,
                closed_at_offset            INTEGER,
                closed_by                   TEXT,
                rating                      INTEGER,
                rating_comment              TEXT,
                customer_read_seq           INTEGER NOT NULL DEFAULT 0,
                agent_read_seq              INTEGER NOT NULL DEFAULT 0,
                version                     INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX IF NOT EXISTS ix_conversations_visitor ON conversations (visitor_id, created_at);
            CREATE INDEX IF NOT EXISTS ix_conversations_open ON conversations (created_at)
                WHERE status IN ('Queued', 'Active');

            CREATE TABLE IF NOT EXISTS messages (
                conversation_id   TEXT    NOT NULL REFERENCES conversations (id),
                seq               INTEGER NOT NULL,
                client_message_id TEXT,
                kind              TEXT    NOT NULL,
                sender_id         TEXT,
                sender_name       TEXT,
                text              TEXT    NOT NULL,
                sent_at           INTEGER NOT NULL,
                sent_at_offset    INTEGER NOT NULL,
                PRIMARY KEY (conversation_id, seq)
            ) STRICT;
            CREATE UNIQUE INDEX IF NOT EXISTS ux_messages_client_message ON messages (conversation_id, sender_id, client_message_id)
                WHERE client_message_id IS NOT NULL;

            CREATE TABLE IF NOT EXISTS offline_messages (
                id                TEXT    NOT NULL PRIMARY KEY,
                visitor_id        TEXT    NOT NULL,
                topic             TEXT,
                name              TEXT,
                email             TEXT,
                text              TEXT    NOT NULL,
                created_at        INTEGER NOT NULL,
                created_at_offset INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX IF NOT EXISTS ix_offline_messages_created ON offline_messages (created_at);
            """),
        (2, $"""
            {SqlConversationStore.CloseDuplicateOpenConversations(NowTicks)}
            CREATE UNIQUE INDEX ux_conversations_open_visitor ON conversations (visitor_id)
                WHERE status IN ('Queued', 'Active');
            """),
        (3, SqlRoutingStore.CreateTables(key: "TEXT", text: "TEXT", integer: "INTEGER", boolean: "INTEGER", strict: " STRICT", nowTicks: NowTicks)),
        (4, SqlRoutingStore.AddTransferredFrom(key: "TEXT", text: "TEXT")),
        (5, SqlRoutingStore.AddCustomerPresence(key: "TEXT", text: "TEXT", integer: "INTEGER", offset: "INTEGER", boolean: "INTEGER", strict: " STRICT")),
        (6, SqlConversationStore.AddAttachments(key: "TEXT", text: "TEXT", integer: "INTEGER", bytes: "BLOB", strict: " STRICT")),
        // The history's full-text index: kept in step by triggers, so every insert path (and every node) feeds it.
        (7, """
            CREATE VIRTUAL TABLE IF NOT EXISTS history_text USING fts5(
                body, conversation_id UNINDEXED, visitor_id UNINDEXED, tokenize = 'porter unicode61');
            DELETE FROM history_text;
            INSERT INTO history_text (body, conversation_id) SELECT text, conversation_id FROM messages;
            INSERT INTO history_text (body, conversation_id)
                SELECT json_extract(pre_qualification, '$.details'), id FROM conversations
                WHERE json_extract(pre_qualification, '$.details') IS NOT NULL;
            INSERT INTO history_text (body, visitor_id) SELECT text, visitor_id FROM offline_messages;
            CREATE TRIGGER IF NOT EXISTS history_text_messages AFTER INSERT ON messages BEGIN
                INSERT INTO history_text (body, conversation_id) VALUES (new.text, new.conversation_id);
            END;
            CREATE TRIGGER IF NOT EXISTS history_text_details AFTER INSERT ON conversations
                WHEN json_extract(new.pre_qualification, '$.details') IS NOT NULL BEGIN
                INSERT INTO history_text (body, conversation_id) VALUES (json_extract(new.pre_qualification, '$.details'), new.id);
            END;
            CREATE TRIGGER IF NOT EXISTS history_text_offline_messages AFTER INSERT ON offline_messages BEGIN
                INSERT INTO history_text (body, visitor_id) VALUES (new.text, new.visitor_id);
            END;
            CREATE INDEX IF NOT EXISTS ix_conversations_history ON conversations (created_at, id);
            """),
    ];

    // The current time as UTC ticks, the unit the stores keep times in.
    private const string NowTicks = "CAST((julianday('now') - 2440587.5) * 864000000000 AS INTEGER) + 621355968000000000";

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>
    /// Switches the file to WAL and applies the missing migrations. Concurrent callers (threads, store instances,
    /// processes) serialise on the write lock, and the loser finds the work done.
    /// </summary>
    public static async Task MigrateAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using (var wal = connection.Command("PRAGMA journal_mode = WAL;"))
        {
            await wal.ExecuteScalarAsync(ct);
        }

        ct.ThrowIfCancellationRequested();
        await using var transaction = connection.BeginTransaction(deferred: false);

        await SqlMigrations.ApplyAsync(connection, transaction, CreateVersionTable, "INSERT INTO schema_version (version, applied_at) VALUES (@version, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));", Migrations, ct);

        await transaction.CommitAsync(ct);
    }
}
