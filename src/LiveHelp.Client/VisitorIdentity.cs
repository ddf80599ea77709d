using System.Text.Json.Serialization;

namespace LiveHelp.Client;

/// <summary>
/// Who the visitor is, as far as the host site says: all optional. <see cref="UserId"/> with its <see cref="UserHash"/>
/// (the host's HMAC of the id) links the visitor to the site's own account.
/// </summary>
public sealed record VisitorIdentity
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UserId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UserHash { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Email { get; init; }
}
