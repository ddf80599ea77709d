using Npgsql;

namespace LiveHelp.Persistence;

/// <summary>
/// The PostgreSQL schema as an ordered list of migrations, applied in one transaction under an advisory lock so
/// that nodes starting at once take turns, and recorded in <c>schema_version</c>; a new schema change is a new
/// entry at the end, never an edit of an old one. Tables go where the connection's <c>search_path</c> points.
/// </summary>
/// <remarks>
/// The columns are those of <see cref="SqlRecords"/>, as in SQLite: a timestamp is <c>bigint</c> UTC ticks plus
/// <c>integer</c> offset minutes (a <c>timestamptz</c> would lose the offset and the last tick digit), lists and
/// nested records are JSON text. Identifiers compare and sort byte by byte (<c>COLLATE "C"</c>), as in SQLite,
/// whatever the database's locale. <c>conversations.last_seq</c> is the last message number handed out.
/// </remarks>
internal static class PostgresSchema
{
    /// <summary>"LiveHelp" in ASCII: the advisory lock that nodes hold while they migrate.</summary>
    private const long MigrationLock = 0x4C69_7665_4865_6C70;

    private const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    integer     NOT NULL PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    private static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE settings (
                key   text COLLATE "C" NOT NULL PRIMARY KEY,
                value text NOT NULL
            );

            CREATE TABLE agents (
                id                text COLLATE "C" NOT NULL PRIMARY KEY,
                username          text    NOT NULL,
                username_key      text COLLATE "C" NOT NULL UNIQUE,
                display_name      text    NOT NULL,
                password_hash     text    NOT NULL,
                role              text    NOT NULL,
                skills            text    NOT NULL,
                max_concurrent    integer NOT NULL,
                auto_accept       boolean NOT NULL,
                disabled          boolean NOT NULL,
                created_at        bigint  NOT NULL,
                created_at_offset integer NOT NULL
            );

            CREATE TABLE topics (
                id    text COLLATE "C" NOT NULL PRIMARY KEY,
                name  text NOT NULL,
                skill text NOT NULL
            );

            CREATE TABLE visitors (
                id                text COLLATE "C" NOT NULL PRIMARY KEY,
                user_id           text COLLATE "C",
                name              text,
                email             text,
                created_at        bigint  NOT NULL,
                created_at_offset integer NOT NULL
            );
            CREATE INDEX ix_visitors_user_id ON visitors (user_id) WHERE user_id IS NOT NULL;

            CREATE TABLE conversations (
                id                          text COLLATE "C" NOT NULL PRIMARY KEY,
                visitor_id                  text COLLATE "C" NOT NULL,
                topic                       text    NOT NULL,
                mode                        text    NOT NULL,
                status                      text    NOT NULL,
                pre_qualification           text    NOT NULL,
                created_at                  bigint  NOT NULL,
                created_at_offset           integer NOT NULL,
                enqueued_at                 bigint  NOT NULL,
                enqueued_at_offset          integer NOT NULL,
                requeued                    boolean NOT NULL,
                agent_id                    text COLLATE "C",
                agent_name                  text,
                first_assigned_at           bigint,
                first_assigned_at_offset    integer,
                first_agent_reply_at        bigint,
                first_agent_reply_at_offset integer,
                closed_at                   bigint,
                closed_at_offset            integer,
                closed_by                   text,
                rating                      integer,
                rating_comment              text,
                customer_read_seq           bigint  NOT NULL DEFAULT 0,
                agent_read_seq              bigint  NOT NULL DEFAULT 0,
                version                     integer NOT NULL,
                last_seq                    bigint  NOT NULL DEFAULT 0
            );
            CREATE INDEX ix_conversations_visitor ON conversations (visitor_id, created_at);
            CREATE INDEX ix_conversations_open ON conversations (created_at)
                WHERE status IN ('Queued', 'Active');

            CREATE TABLE messages (
                conversation_id   text COLLATE "C" NOT NULL REFERENCES conversations (id),
                seq               bigint  NOT NULL,
                client_message_id text COLLATE "C",
                kind              text    NOT NULL,
                sender_id         text COLLATE "C",
                sender_name       text,
                text              text    NOT NULL,
                sent_at           bigint  NOT NULL,
                sent_at_offset    integer NOT NULL,
                PRIMARY KEY (conversation_id, seq)
            );
            CREATE UNIQUE INDEX ux_messages_client_message ON messages (conversation_id, sender_id, client_message_id)
                WHERE client_message_id IS NOT NULL AND sender_id IS NOT NULL;
            CREATE UNIQUE INDEX ux_messages_client_message_no_sender ON messages (conversation_id, client_message_id)
                WHERE client_message_id IS NOT NULL AND sender_id IS NULL;

            CREATE TABLE offline_messages (
                id                text COLLATE "C" NOT NULL PRIMARY KEY,
                visitor_id        text COLLATE "C" NOT NULL,
                topic             text,
                name              text,
                email             text,
                text              text    NOT NULL,
                created_at        bigint  NOT NULL,
                created_at_offset integer NOT NULL
            );
            CREATE INDEX ix_offline_messages_created ON offline_messages (created_at);
            """),
        (2, $"""
            {SqlConversationStore.CloseDuplicateOpenConversations(NowTicks)}
            CREATE UNIQUE INDEX ux_conversations_open_visitor ON conversations (visitor_id)
                WHERE status IN ('Queued', 'Active');
            """),
        (3, SqlRoutingStore.CreateTables(key: "text COLLATE \"C\"", text: "text", integer: "bigint", boolean: "boolean", strict: "", nowTicks: NowTicks)),
        (4, SqlRoutingStore.AddTransferredFrom(key: "text COLLATE \"C\"", text: "text")),
        (5, SqlRoutingStore.AddCustomerPresence(key: "text COLLATE \"C\"", text: "text", integer: "bigint", offset: "integer", boolean: "boolean", strict: "")),
        (6, SqlConversationStore.AddAttachments(key: "text COLLATE \"C\"", text: "text", integer: "bigint", bytes: "bytea", strict: "")),
        // The history's full-text indexes, on expressions, so existing rows are indexed and every insert keeps them.
        (7, $"""
            CREATE INDEX IF NOT EXISTS ix_messages_search ON messages USING gin ({PostgresConversationStore.MessageVector});
            CREATE INDEX IF NOT EXISTS ix_conversations_details_search ON conversations USING gin ({PostgresConversationStore.DetailsVector});
            CREATE INDEX IF NOT EXISTS ix_offline_messages_search ON offline_messages USING gin ({PostgresConversationStore.MessageVector});
            CREATE INDEX IF NOT EXISTS ix_conversations_history ON conversations (created_at, id);
            """),
    ];

    // The current time as UTC ticks, the unit the stores keep times in.
    private const string NowTicks = "(EXTRACT(EPOCH FROM now()) * 10000000)::bigint + 621355968000000000";

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>
    /// Applies the missing migrations. Concurrent callers (store instances, nodes) queue on the advisory lock, and
    /// the later ones find the work done; a failure leaves the schema as it was.
    /// </summary>
    public static async Task MigrateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);

        await using (var takeLock = connection.Command("SELECT pg_advisory_xact_lock(@key);", transaction))
        {
            takeLock.SetInteger("key", MigrationLock);
            await takeLock.ExecuteNonQueryAsync(ct);
        }

        await using (var encoding = connection.Command(
            "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database();", transaction))
        {
            if (await encoding.ExecuteScalarAsync(ct) is string name && name != "UTF8")
            {
                throw new InvalidOperationException(
                    $"The database '{connection.Database}' uses the {name} encoding; LiveHelp needs UTF8 "
                    + "(CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0).");
            }
        }

        await SqlMigrations.ApplyAsync(connection, transaction, CreateVersionTable, "INSERT INTO schema_version (version) VALUES (@version);", Migrations, ct);

        await transaction.CommitAsync(ct);
    }
}
