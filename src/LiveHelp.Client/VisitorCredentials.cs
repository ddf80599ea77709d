namespace LiveHelp.Client;

/// <summary>The answer of POST /api/visitors: the visitor's id and the token to open the hub with (keep it to stay the same visitor).</summary>
public sealed record VisitorCredentials(string VisitorId, string Token);
