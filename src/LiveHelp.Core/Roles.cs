namespace LiveHelp.Core;

public static class Roles
{
    public const string Customer = "customer";
    public const string Agent = "agent";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";

    public static bool IsStaff(string role) => role is Agent or Supervisor or Admin;

    /// <summary>Supervisors and admins may read any conversation.</summary>
    public static bool CanOversee(string role) => role is Supervisor or Admin;

    public static bool IsValidStaffRole(string role) => IsStaff(role);
}
