using System.Reflection;
using System.Text.RegularExpressions;
using LiveHelp.Core.Contracts;
using LiveHelp.Server.Hubs;

namespace LiveHelp.Server.Tests;

/// <summary>
/// The hub's names are written once in C# and once in TypeScript (web-widget/sdk/contract.ts); the widget, console
/// and SDK only work if both name the same thing on the wire.
/// </summary>
public sealed partial class ContractNamesTests
{
    private static readonly string Browser = File.ReadAllText(Path.Combine(DeploymentFilesTests.Root, "web-widget", "sdk", "contract.ts"));

    [Fact]
    public void Every_event_the_server_sends_goes_out_under_the_name_the_browser_listens_for()
    {
        // A typed client's call goes out under its method's name.
        var sent = typeof(IHelpClient).GetMethods().Select(m => m.Name).Order();

        Assert.Equal(Names("Events").Concat(Names("CallEvents")).Order(), sent);
    }

    [Fact]
    public void Every_hub_method_is_named_alike_by_the_hub_the_contract_and_the_browser()
    {
        var hub = typeof(HelpHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name is not (nameof(HelpHub.OnConnectedAsync) or nameof(HelpHub.OnDisconnectedAsync)))
            .Select(m => m.Name).Order().ToList();
        var contract = new[] { typeof(Hub.Methods), typeof(CallHub.Methods) }
            .SelectMany(t => t.GetFields()).Select(f => (string)f.GetRawConstantValue()!).Order();

        Assert.Equal(hub, contract);
        Assert.Equal(hub, Names("Methods").Concat(Names("CallMethods")).Order());
    }

    [Fact]
    public void A_queue_update_carries_the_same_fields_in_the_browser_as_on_the_server()
    {
        var fields = typeof(QueueUpdate).GetProperties().Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]).Order();

        Assert.Equal(fields, Fields("QueueUpdate").Order());
    }

    /// <summary>The field names of one of contract.ts's <c>export interface X { name: type; ... }</c>.</summary>
    private static IEnumerable<string> Fields(string type)
    {
        var body = Regex.Match(Browser, $@"export interface {type} \{{(.*?)\}}", RegexOptions.Singleline);
        Assert.True(body.Success, $"contract.ts has no interface {type}");
        return Field().Matches(body.Groups[1].Value).Select(m => m.Groups[1].Value);
    }

    /// <summary>The values of one of contract.ts's <c>export const X = { key: "name", ... } as const</c> tables.</summary>
    private static IEnumerable<string> Names(string table)
    {
        var body = Regex.Match(Browser, $@"export const {table} = \{{(.*?)\}} as const;", RegexOptions.Singleline);
        Assert.True(body.Success, $"contract.ts has no {table} table");
        return Value().Matches(body.Groups[1].Value).Select(m => m.Groups[1].Value);
    }

    [GeneratedRegex(@":\s*""([^""]+)""")]
    private static partial Regex Value();

    [GeneratedRegex(@"(\w+)\??:")]
    private static partial Regex Field();
}
