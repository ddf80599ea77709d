using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LiveHelp.Core;
using LiveHelp.Core.Routing;

namespace LiveHelp.Redis.Internal;

/// <summary>
/// A timestamp as the Lua scripts store and compare it: UTC ticks in 19 digits (so text order is time order) then
/// the offset in minutes, so a value comes back with exactly its ticks and offset.
/// </summary>
internal static class RoutingTime
{
    private const int TicksDigits = 19;

    public static string Format(DateTimeOffset at) =>
        at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)
        + ((int)at.Offset.TotalMinutes).ToString("+0;-0;+0", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text)
    {
        var utcTicks = long.Parse(text.AsSpan(0, TicksDigits), NumberStyles.None, CultureInfo.InvariantCulture);
        var offset = TimeSpan.FromMinutes(int.Parse(text.AsSpan(TicksDigits), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        return new DateTimeOffset(utcTicks + offset.Ticks, offset);
    }

    public static DateTimeOffset? ParseOptional(string? text) => text is null ? null : Parse(text);
}

/// <summary>
/// Skills compared the way <see cref="StringComparer.OrdinalIgnoreCase"/> compares them, reduced to one spelling so
/// that Lua can compare them with plain equality.
/// </summary>
internal static class SkillKey
{
    public static string Of(string skill) => skill.ToUpperInvariant();
}

/// <summary>A queued request as stored; the scripts read <see cref="SkillKey"/> and add to <see cref="PassedOver"/>.</summary>
internal sealed class RequestRecord
{
    public required string Id { get; init; }
    public required string Skill { get; init; }
    public required string SkillKey { get; init; }
    public int Mode { get; init; }
    public int Priority { get; init; }
    public required string EnqueuedAt { get; init; }
    public bool Requeued { get; init; }
    public Dictionary<string, string> PassedOver { get; init; } = [];

    public static RequestRecord Of(HelpRequest request) => new()
    {
        Id = request.Id,
        Skill = request.Skill,
        SkillKey = Internal.SkillKey.Of(request.Skill),
        Mode = (int)request.Mode,
        Priority = request.Priority,
        EnqueuedAt = RoutingTime.Format(request.EnqueuedAt),
        Requeued = request.Requeued,
        PassedOver = request.PassedOver.ToDictionary(p => p.Key, p => RoutingTime.Format(p.Value), StringComparer.Ordinal),
    };

    public HelpRequest ToRequest() => new()
    {
        Id = Id,
        Skill = Skill,
        Mode = (HelpMode)Mode,
        Priority = Priority,
        EnqueuedAt = RoutingTime.Parse(EnqueuedAt),
        Requeued = Requeued,
        PassedOver = PassedOver.ToDictionary(p => p.Key, p => RoutingTime.Parse(p.Value), StringComparer.Ordinal),
    };
}

/// <summary>
/// A seat as stored. The profile travels as an opaque JSON string (Lua would turn an empty list into an object);
/// <see cref="Max"/> and <see cref="Skills"/> are the parts of it the scripts need.
/// </summary>
internal sealed class SeatRecord
{
    public required string Profile { get; init; }
    public int Max { get; init; }
    public Dictionary<string, bool> Skills { get; init; } = [];
    public int Status { get; init; }
    public int Connections { get; init; }
    public string? Disconnected { get; init; }
    public Dictionary<string, bool> Conversations { get; init; } = [];
    public int Offers { get; init; }
    public string? Assigned { get; init; }

    public AgentSeat ToSeat() => new()
    {
        Profile = ProfileRecord.Read(Profile),
        Status = (AgentStatus)Status,
        Connections = Connections,
        DisconnectedAt = RoutingTime.ParseOptional(Disconnected),
        Conversations = Conversations.Keys.ToHashSet(StringComparer.Ordinal),
        PendingOffers = Offers,
        LastAssignedAt = RoutingTime.ParseOptional(Assigned),
    };
}

internal sealed class ProfileRecord
{
    public required string AgentId { get; init; }
    public required string DisplayName { get; init; }
    public List<string> Skills { get; init; } = [];
    public int MaxConcurrent { get; init; }
    public bool AutoAccept { get; init; }

    public static string Write(AgentProfile profile) => JsonSerializer.Serialize(
        new ProfileRecord
        {
            AgentId = profile.AgentId,
            DisplayName = profile.DisplayName,
            Skills = [.. profile.Skills],
            MaxConcurrent = profile.MaxConcurrent,
            AutoAccept = profile.AutoAccept,
        },
        RoutingJson.Default.ProfileRecord);

    public static AgentProfile Read(string json)
    {
        var record = JsonSerializer.Deserialize(json, RoutingJson.Default.ProfileRecord)
            ?? throw new InvalidDataException("A routing seat has no profile.");
        return new AgentProfile(record.AgentId, record.DisplayName, record.Skills, record.MaxConcurrent, record.AutoAccept);
    }

    /// <summary>The skill set as the scripts test it: one key per skill, any spelling.</summary>
    public static string SkillKeys(AgentProfile profile) => JsonSerializer.Serialize(
        profile.Skills.Select(SkillKey.Of).Distinct(StringComparer.Ordinal).ToDictionary(s => s, _ => true, StringComparer.Ordinal),
        RoutingJson.Default.DictionaryStringBoolean);
}

internal sealed class OfferRecord
{
    public required string Request { get; init; }
    public required string Agent { get; init; }
    public required string Deadline { get; init; }

    public Offer ToOffer() => new(Request, Agent, RoutingTime.Parse(Deadline));
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RequestRecord))]
[JsonSerializable(typeof(SeatRecord))]
[JsonSerializable(typeof(ProfileRecord))]
[JsonSerializable(typeof(OfferRecord))]
[JsonSerializable(typeof(Dictionary<string, bool>))]
internal sealed partial class RoutingJson : JsonSerializerContext
{
    public static T Read<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(json, type) ?? throw new InvalidDataException($"Unreadable routing record: {typeof(T).Name}.");
}
