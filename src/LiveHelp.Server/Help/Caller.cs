using LiveHelp.Core;

namespace LiveHelp.Server.Help;

/// <summary>Who is calling, as the server's token says: never taken from the client's arguments.</summary>
public sealed record Caller(string Id, string Role, string? Name)
{
    public bool IsCustomer => Role == Roles.Customer;
    public bool IsStaff => Roles.IsStaff(Role);
    public bool CanOversee => Roles.CanOversee(Role);
}
