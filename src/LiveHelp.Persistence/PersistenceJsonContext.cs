using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Persistence;

/// <summary>JSON for the columns that hold a list or a nested record.</summary>
[JsonSerializable(typeof(PreQualification))]
[JsonSerializable(typeof(Attachment))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class PersistenceJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Camel-case names, nulls left out, and markup characters kept readable: the column is data, never
    /// embedded in HTML.
    /// </summary>
    public static PersistenceJsonContext Stored { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
