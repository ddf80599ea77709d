namespace LiveHelp.Server.Help;

/// <summary>Keys loaded (or generated and kept in the store) when the server starts.</summary>
public sealed class ServerSecrets
{
    public byte[] SigningKey { get; set; } = [];
    public string IdentitySecret { get; set; } = "";
}
