using System.Security.Cryptography;
using System.Text;
using LiveHelp.Core;
using LiveHelp.Core.Accounts;
using LiveHelp.Core.Conversations;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Help;

/// <summary>Prepares the store, the keys, the first admin and the topics, and a routing seat for every account, before the server takes requests.</summary>
internal sealed class Bootstrap(
    IConversationStore store,
    ServerSecrets secrets,
    HelpQueue queue,
    IOptions<LiveHelpOptions> options,
    TimeProvider clock,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILogger<Bootstrap> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var o = options.Value;
        await store.InitializeAsync(ct);
        secrets.SigningKey = o.SigningKey is { Length: > 0 } configured
            ? SHA256.HashData(Encoding.UTF8.GetBytes(configured))
            : Convert.FromBase64String(await store.GetOrAddSettingAsync("signing-key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), ct));
        secrets.IdentitySecret = o.IdentitySecret is { Length: > 0 } identity
            ? identity
            : await store.GetOrAddSettingAsync("identity-secret", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), ct);

        if ((await store.ListTopicsAsync(ct)).Count == 0)
        {
            foreach (var topic in o.DefaultTopics)
            {
                await store.UpsertTopicAsync(new Topic(topic, char.ToUpperInvariant(topic[0]) + topic[1..], topic), ct);
            }
        }

        string? createdPassword = null;
        if ((await store.ListAgentsAsync(ct)).Count == 0)
        {
            var password = o.AdminPassword is { Length: > 0 } p ? p : Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('/', 'x').Replace('+', 'y');
            var added = await store.TryAddAgentAsync(new AgentAccount
            {
                Id = Ids.New("a"),
                Username = "admin",
                DisplayName = "Admin",
                PasswordHash = PasswordHash.Create(password),
                Role = Roles.Admin,
                Skills = [.. o.DefaultTopics],
                MaxConcurrent = 3,
                CreatedAt = clock.GetUtcNow(),
            }, ct);
            createdPassword = added && o.AdminPassword is not { Length: > 0 } ? password : null;
        }

        await queue.SeatAgentsAsync();

        // The address is known only once Kestrel listens, which is after hosted services start.
        lifetime.ApplicationStarted.Register(() =>
        {
            var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
            if (createdPassword is not null)
            {
                Log.AdminCreated(log, url, createdPassword);
            }
        });
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
