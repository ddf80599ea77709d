using System.Text.Json;
using System.Text.Json.Serialization;

namespace LiveHelp.Client.Internal;

internal static class LiveHelpJson
{
    public static JsonSerializerOptions CreateOptions() =>
        new(JsonSerializerDefaults.Web)
        {
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        };
}
