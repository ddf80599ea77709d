using System.Text.Json;
using System.Text.Json.Serialization;

namespace LiveHelp.Server.Hubs;

/// <summary>
/// Reads enums from camelCase (or any case) names or numbers, and an unknown name as an undefined value instead of
/// failing the whole call: the hub method then answers with its own "invalid_input" instead of a binding error.
/// </summary>
internal sealed class TolerantEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private static readonly T Undefined = (T)Enum.ToObject(typeof(T), -1);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => Enum.TryParse<T>(reader.GetString(), ignoreCase: true, out var value) && !int.TryParse(reader.GetString(), out _) ? value : Undefined,
            JsonTokenType.Number when reader.TryGetInt32(out var number) => (T)Enum.ToObject(typeof(T), number),
            _ => Undefined,
        };

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(JsonNamingPolicy.CamelCase.ConvertName(value.ToString()));
    }
}
