using System.Data;
using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LiveHelp.Persistence;

/// <summary>
/// The one place where values cross between .NET and columns, the same for every database. A timestamp is two
/// integer columns: <c>{name}</c> holds UTC ticks (exact, and orders correctly) and <c>{name}_offset</c> the offset
/// in minutes. A boolean is bound as a .NET bool (SQLite stores 1 or 0). Lists and nested records are JSON text.
/// </summary>
internal static class SqlValueExtensions
{
    public const string OffsetSuffix = "_offset";

    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>The two column names of a timestamp.</summary>
    public static string[] TimestampColumns(string name) => [name, name + OffsetSuffix];

    public static void SetText(this DbCommand command, string column, string? value) =>
        command.Set(column, DbType.String, value);

    public static void SetInteger(this DbCommand command, string column, long? value) =>
        command.Set(column, DbType.Int64, value);

    public static void SetBoolean(this DbCommand command, string column, bool value) =>
        command.Set(column, DbType.Boolean, value);

    public static void SetBytes(this DbCommand command, string column, byte[] value) =>
        command.Set(column, DbType.Binary, value);

    public static void SetEnum<T>(this DbCommand command, string column, T value)
        where T : struct, Enum =>
        command.SetText(column, value.ToString());

    public static void SetJson<T>(this DbCommand command, string column, T value, JsonTypeInfo<T> typeInfo) =>
        command.SetText(column, JsonSerializer.Serialize(value, typeInfo));

    public static void SetTimestamp(this DbCommand command, string column, DateTimeOffset? value)
    {
        command.SetInteger(column, value?.UtcTicks);
        command.SetInteger(column + OffsetSuffix, value is { } v ? (long)v.Offset.TotalMinutes : null);
    }

    public static string GetText(this DbDataReader reader, string column) =>
        reader.GetString(reader.GetOrdinal(column));

    public static string? GetNullableText(this DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public static long GetInteger(this DbDataReader reader, string column) =>
        reader.GetInt64(reader.GetOrdinal(column));

    public static long? GetNullableInteger(this DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
    }

    public static bool GetBoolean(this DbDataReader reader, string column) =>
        reader.GetBoolean(reader.GetOrdinal(column));

    public static byte[] GetBytes(this DbDataReader reader, string column) =>
        reader.GetFieldValue<byte[]>(reader.GetOrdinal(column));

    public static T GetEnum<T>(this DbDataReader reader, string column)
        where T : struct, Enum =>
        Enum.Parse<T>(reader.GetText(column));

    public static T GetJson<T>(this DbDataReader reader, string column, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.Deserialize(reader.GetText(column), typeInfo)
        ?? throw new InvalidDataException($"Column '{column}' holds JSON null.");

    public static DateTimeOffset GetTimestamp(this DbDataReader reader, string column) =>
        reader.GetNullableTimestamp(column)
        ?? throw new InvalidDataException($"Column '{column}' is null.");

    public static DateTimeOffset? GetNullableTimestamp(this DbDataReader reader, string column)
    {
        if (reader.GetNullableInteger(column) is not { } utcTicks)
        {
            return null;
        }

        var offset = TimeSpan.FromMinutes(reader.GetInteger(column + OffsetSuffix));
        return new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(offset);
    }

    private static void Set(this DbCommand command, string column, DbType type, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + column;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
