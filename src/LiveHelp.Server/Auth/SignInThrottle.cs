using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LiveHelp.Server.Auth;

/// <summary>
/// Failed staff sign-ins, counted per account and per client address with the framework's fixed-window limiters: after
/// a handful of failures the account, or the address, is refused until its window ends. A success clears the account's
/// count; never the address's, or one account of the attacker's own would clear it. ASP.NET Core's rate-limiting
/// middleware counts every request, which would hold back an office signing in many agents from one address, so the
/// limiters are used here, where the outcome is known. The counts live in this node's memory: with several nodes, each
/// allows its own handful.
/// </summary>
public sealed class SignInThrottle(IOptions<LiveHelpOptions> options) : IDisposable
{
    // Sign-ins from one address are checked a few at a time, so a burst gets no more guesses past the count than that.
    private readonly PartitionedRateLimiter<string> _checking = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetConcurrencyLimiter(address, _ => new ConcurrencyLimiterOptions { PermitLimit = 4, QueueLimit = 1000 }));

    // A limiter per account and per address; an entry unused for a whole window has nothing left to count and goes.
    private readonly MemoryCache _failures = new(new MemoryCacheOptions());

    private SignInOptions Limits => options.Value.SignIn;

    /// <summary>Takes one try from the account before the password is checked, so parallel guesses cannot overtake the count.</summary>
    public async Task<SignInAttempt> BeginAsync(string username, IPAddress? address, CancellationToken cancellationToken)
    {
        var addressKey = "address:" + (address?.ToString() ?? "unknown");
        var turn = await _checking.AcquireAsync(addressKey, 1, cancellationToken);
        if (!turn.IsAcquired)
        {
            turn.Dispose();
            return new SignInAttempt(TimeSpan.FromSeconds(1));
        }
        var accountKey = "account:" + username.ToLowerInvariant();
        var addressFailures = Limiter(addressKey, Limits.FailuresPerAddress);
        using var addressOpen = addressFailures.AttemptAcquire(0);
        using var accountTry = addressOpen.IsAcquired ? Limiter(accountKey, Limits.FailuresPerAccount).AttemptAcquire(1) : null;
        if ((accountTry ?? addressOpen) is { IsAcquired: false } refused)
        {
            turn.Dispose();
            return new SignInAttempt(refused.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Limits.Window);
        }
        return new SignInAttempt(this, turn, accountKey, addressFailures);
    }

    public void Dispose()
    {
        _checking.Dispose();
        _failures.Dispose();
    }

    private FixedWindowRateLimiter Limiter(string key, int failures)
    {
        FixedWindowRateLimiter limiter;
        lock (_failures)
        {
            limiter = _failures.GetOrCreate(key, entry =>
            {
                entry.SlidingExpiration = Limits.Window;
                // Replenished when used rather than by a timer of its own per account.
                return new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions { PermitLimit = failures, Window = Limits.Window, AutoReplenishment = false });
            })!;
        }
        limiter.TryReplenish();
        return limiter;
    }

    /// <summary>One sign-in: refused (<see cref="RetryAfter"/> is set), or under way until disposed, to be told how it ended.</summary>
    public sealed class SignInAttempt : IDisposable
    {
        private readonly SignInThrottle? _throttle;
        private readonly RateLimitLease? _turn;
        private readonly string? _accountKey;
        private readonly RateLimiter? _addressFailures;

        internal SignInAttempt(TimeSpan retryAfter) => RetryAfter = retryAfter;

        internal SignInAttempt(SignInThrottle throttle, RateLimitLease turn, string accountKey, RateLimiter addressFailures)
        {
            _throttle = throttle;
            _turn = turn;
            _accountKey = accountKey;
            _addressFailures = addressFailures;
        }

        public TimeSpan? RetryAfter { get; }

        /// <summary>The account's try is already taken; the address counts the failure too.</summary>
        public void Failed() => _addressFailures?.AttemptAcquire(1).Dispose();

        /// <summary>
        /// Drops the account's limiter, which clears its count. It is not disposed: it holds no timer, and an attempt
        /// under way may still use it.
        /// </summary>
        public void Succeeded()
        {
            if (_throttle is not null)
            {
                lock (_throttle._failures)
                {
                    _throttle._failures.Remove(_accountKey!);
                }
            }
        }

        public void Dispose() => _turn?.Dispose();
    }
}
