using LiveHelp.Core.Accounts;
using LiveHelp.Core.Routing;

namespace LiveHelp.Server.Help;

internal static class Profiles
{
    public static AgentProfile Of(AgentAccount a) => new(a.Id, a.DisplayName, a.Skills, a.MaxConcurrent, a.AutoAccept);
}
