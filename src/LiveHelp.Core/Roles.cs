namespace LiveHelp.Core;

public static class Roles
{
    public const string Customer = "customer";
    public const string Agent = "agent";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";

    /// <summary>Not a person: the server itself, as when it closes a conversation its customer left.</summary>
    public const string System = "system";

    public static bool IsStaff(string role) => role is Agent or Supervisor or Admin;

    /// <summary>Supervisors and admins may read any conversation.</summary>
    public static bool CanOversee(string role) => role is Supervisor or Admin;

    public static bool IsValidStaffRole(string role) => IsStaff(role);
}
