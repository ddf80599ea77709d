using System.Reflection;
using System.Text.RegularExpressions;

namespace LiveHelp.Server.Tests;

/// <summary>
/// docker-compose.yml cannot be run here (no Docker engine), so it is checked for what it must name, and every
/// setting it gives LiveHelp is checked against the options LiveHelp really reads.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    internal static readonly string Root = FindRoot();
    private static readonly string Compose = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));

    [Fact]
    public void Compose_names_every_service_of_a_scaled_out_installation_with_health_checks()
    {
        var block = Compose[Compose.IndexOf("\nservices:", StringComparison.Ordinal)..Compose.IndexOf("\nvolumes:", StringComparison.Ordinal)];
        var services = ServiceLine().Matches(block).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(["redis", "postgres", "coturn", "app1", "app2", "haproxy"], services);
        // redis and postgres have their own; both app nodes share the one of the node template; HAProxy checks the
        // nodes itself and has no HTTP client in its image.
        Assert.Equal(3, Regex.Matches(Compose, @"^\s+healthcheck:", RegexOptions.Multiline).Count);
        Assert.Equal(2, Regex.Matches(block, @"<<: \*livehelp-node").Count);
    }

    [Fact]
    public void Files_compose_mounts_are_the_ones_in_the_repository_and_the_tests_use()
    {
        var mounted = MountedFile().Matches(Compose).Select(m => m.Groups[1].Value).ToList();

        Assert.Contains("deploy/haproxy.cfg", mounted);
        Assert.Contains("deploy/coturn/turnserver.conf", mounted);
        Assert.All(mounted, path => Assert.True(File.Exists(Path.Combine(Root, path)), path));
        Assert.True(File.Exists(Path.Combine(Root, "Dockerfile")));
    }

    [Fact]
    public void Every_variable_the_balancer_configuration_needs_is_set_by_compose()
    {
        var configuration = File.ReadAllText(Path.Combine(Root, "deploy", "haproxy.cfg"));
        var needed = ConfigurationVariable().Matches(configuration).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.NotEmpty(needed);
        Assert.All(needed, name => Assert.Contains($"{name}:", Compose));
    }

    [Fact]
    public void Every_secret_compose_requires_is_listed_in_env_example()
    {
        var example = File.ReadAllText(Path.Combine(Root, ".env.example"));
        var required = RequiredVariable().Matches(Compose).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Contains("LIVEHELP_SIGNING_KEY", required);
        Assert.All(required, name => Assert.Matches($"(?m)^{name}=", example));
    }

    [Fact]
    public void Every_LiveHelp_setting_in_compose_is_one_LiveHelp_reads()
    {
        var keys = SettingKey().Matches(Compose).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Contains("ConnectionStrings__Redis", keys);
        Assert.Contains("ConnectionStrings__Postgres", keys);
        foreach (var key in keys.Where(k => k.StartsWith("LiveHelp__", StringComparison.Ordinal)))
        {
            Type type = typeof(LiveHelpOptions);
            foreach (var part in key.Split("__").Skip(1).Where(p => !int.TryParse(p, out _)))
            {
                var property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                Assert.True(property is not null, $"{key}: LiveHelp has no setting '{part}'");
                type = property!.PropertyType;
            }
        }
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LiveHelp.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("LiveHelp.sln not found");
    }

    [GeneratedRegex(@"^  ([a-z0-9]+):\s*$", RegexOptions.Multiline)]
    private static partial Regex ServiceLine();

    [GeneratedRegex(@"- \./([^:\s]+):")]
    private static partial Regex MountedFile();

    [GeneratedRegex(@"\$\{(LIVEHELP_[A-Z0-9_]+)\}")]
    private static partial Regex ConfigurationVariable();

    [GeneratedRegex(@"\$\{([A-Z0-9_]+):\?")]
    private static partial Regex RequiredVariable();

    [GeneratedRegex(@"^\s+((?:LiveHelp|ConnectionStrings)__[A-Za-z0-9_]+):", RegexOptions.Multiline)]
    private static partial Regex SettingKey();
}
