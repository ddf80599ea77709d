using System.Buffers;
using System.Text;
using System.Text.Json;

namespace LiveHelp.Client.Internal;

/// <summary>The SignalR JSON hub protocol: JSON records each terminated by 0x1E.</summary>
internal static class HubProtocol
{
    public const byte RecordSeparator = 0x1E;

    public const int InvocationType = 1;
    public const int CompletionType = 3;
    public const int PingType = 6;
    public const int CloseType = 7;

    public static readonly ReadOnlyMemory<byte> HandshakeRequest = Record("{\"protocol\":\"json\",\"version\":1}");
    public static readonly ReadOnlyMemory<byte> Ping = Record($"{{\"type\":{PingType}}}");

    public static ReadOnlyMemory<byte> WriteInvocation(string? invocationId, string target, IReadOnlyList<object?> arguments, JsonSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type", InvocationType);
            if (invocationId is not null)
            {
                writer.WriteString("invocationId", invocationId);
            }
            writer.WriteString("target", target);
            writer.WriteStartArray("arguments");
            foreach (var argument in arguments)
            {
                if (argument is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    JsonSerializer.Serialize(writer, argument, argument.GetType(), options);
                }
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Terminate(buffer);
    }

    public static ReadOnlyMemory<byte> WriteCompletionError(string invocationId, string error)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type", CompletionType);
            writer.WriteString("invocationId", invocationId);
            writer.WriteString("error", error);
            writer.WriteEndObject();
        }
        return Terminate(buffer);
    }

    public static string? ReadString(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static ReadOnlyMemory<byte> Terminate(ArrayBufferWriter<byte> buffer)
    {
        buffer.GetSpan(1)[0] = RecordSeparator;
        buffer.Advance(1);
        return buffer.WrittenMemory;
    }

    private static ReadOnlyMemory<byte> Record(string json)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(json) + 1];
        Encoding.UTF8.GetBytes(json, bytes);
        bytes[^1] = RecordSeparator;
        return bytes;
    }
}
