using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;

namespace LiveHelp.Persistence;

/// <summary>
/// The one place where values cross between .NET and SQLite columns. A timestamp is two INTEGER columns:
/// <c>{name}</c> holds UTC ticks (exact, and orders correctly) and <c>{name}_offset</c> the offset in minutes.
/// </summary>
internal static class SqliteCommandExtensions
{
    public const string OffsetSuffix = "_offset";

    public static SqliteCommand Command(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>The two column names of a timestamp.</summary>
    public static string[] TimestampColumns(string name) => [name, name + OffsetSuffix];

    public static void SetText(this SqliteCommand command, string column, string? value) =>
        command.Parameters.AddWithValue("@" + column, (object?)value ?? DBNull.Value);

    public static void SetInteger(this SqliteCommand command, string column, long? value) =>
        command.Parameters.AddWithValue("@" + column, value is { } v ? v : DBNull.Value);

    public static void SetBoolean(this SqliteCommand command, string column, bool value) =>
        command.SetInteger(column, value ? 1 : 0);

    public static void SetEnum<T>(this SqliteCommand command, string column, T value)
        where T : struct, Enum =>
        command.SetText(column, value.ToString());

    public static void SetJson<T>(this SqliteCommand command, string column, T value, JsonTypeInfo<T> typeInfo) =>
        command.SetText(column, System.Text.Json.JsonSerializer.Serialize(value, typeInfo));

    public static void SetTimestamp(this SqliteCommand command, string column, DateTimeOffset? value)
    {
        command.SetInteger(column, value?.UtcTicks);
        command.SetInteger(column + OffsetSuffix, value is { } v ? (long)v.Offset.TotalMinutes : null);
    }

    public static string GetText(this SqliteDataReader reader, string column) =>
        reader.GetString(reader.GetOrdinal(column));

    public static string? GetNullableText(this SqliteDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public static long GetInteger(this SqliteDataReader reader, string column) =>
        reader.GetInt64(reader.GetOrdinal(column));

    public static long? GetNullableInteger(this SqliteDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
    }

    public static bool GetBoolean(this SqliteDataReader reader, string column) => reader.GetInteger(column) != 0;

    public static T GetEnum<T>(this SqliteDataReader reader, string column)
        where T : struct, Enum =>
        Enum.Parse<T>(reader.GetText(column));

    public static T GetJson<T>(this SqliteDataReader reader, string column, JsonTypeInfo<T> typeInfo) =>
        System.Text.Json.JsonSerializer.Deserialize(reader.GetText(column), typeInfo)
        ?? throw new InvalidDataException($"Column '{column}' holds JSON null.");

    public static DateTimeOffset GetTimestamp(this SqliteDataReader reader, string column) =>
        reader.GetNullableTimestamp(column)
        ?? throw new InvalidDataException($"Column '{column}' is null.");

    public static DateTimeOffset? GetNullableTimestamp(this SqliteDataReader reader, string column)
    {
        if (reader.GetNullableInteger(column) is not { } utcTicks)
        {
            return null;
        }

        var offset = TimeSpan.FromMinutes(reader.GetInteger(column + OffsetSuffix));
        return new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(offset);
    }
}
