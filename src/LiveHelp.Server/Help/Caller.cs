using System.Security.Claims;
using LiveHelp.Core;

namespace LiveHelp.Server.Help;

/// <summary>Who is calling, as the server's token says: never taken from the client's arguments.</summary>
public sealed record Caller(string Id, string Role, string? Name)
{
    public bool IsCustomer => Role == Roles.Customer;
    public bool IsStaff => Roles.IsStaff(Role);
    public bool CanOversee => Roles.CanOversee(Role);

    /// <summary>The caller as the token authentication put them in the request's claims (hub or HTTP alike).</summary>
    public static Caller Of(ClaimsPrincipal? user) => new(
        user?.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
        user?.FindFirstValue(ClaimTypes.Role) ?? "",
        user?.FindFirstValue(ClaimTypes.Name) is { Length: > 0 } name ? name : null);
}
