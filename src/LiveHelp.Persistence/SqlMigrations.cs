using System.Data.Common;

namespace LiveHelp.Persistence;

/// <summary>The migration runner both stores share: the version table, the applied versions, and each missing step once.</summary>
internal static class SqlMigrations
{
    /// <summary>Runs inside the caller's transaction, which the caller has already made exclusive.</summary>
    public static async Task ApplyAsync(
        DbConnection connection, DbTransaction transaction, string createVersionTable, string recordVersion,
        IReadOnlyList<(int Version, string Sql)> migrations, CancellationToken ct)
    {
        await using (var create = connection.Command(createVersionTable, transaction))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        long current;
        await using (var read = connection.Command("SELECT COALESCE(MAX(version), 0) FROM schema_version;", transaction))
        {
            current = Convert.ToInt64(await read.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        var latest = migrations[^1].Version;
        if (current > latest)
        {
            throw new InvalidOperationException(
                $"The database schema is at version {current}, newer than this build knows ({latest}).");
        }

        foreach (var (version, sql) in migrations.Where(m => m.Version > current))
        {
            await using (var migrate = connection.Command(sql, transaction))
            {
                await migrate.ExecuteNonQueryAsync(ct);
            }

            await using var record = connection.Command(recordVersion, transaction);
            record.SetInteger("version", version);
            await record.ExecuteNonQueryAsync(ct);
        }
    }
}
