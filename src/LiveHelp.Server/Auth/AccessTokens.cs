using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LiveHelp.Server.Auth;

/// <summary>What a token says: who, in which role, under which display name, until when.</summary>
public sealed record TokenClaims(string Subject, string Role, string? Name, DateTimeOffset Expires);

/// <summary>Compact HMAC-SHA256 signed tokens: base64url(json) "." base64url(signature).</summary>
public sealed class AccessTokens(byte[] key, TimeProvider clock)
{
    public string Issue(string subject, string role, string? name, TimeSpan lifetime)
    {
        var claims = new TokenClaims(subject, role, name, clock.GetUtcNow() + lifetime);
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        return payload + "." + Base64Url(Sign(payload));
    }

    public TokenClaims? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096 || token.Split('.') is not [var payload, var signature])
        {
            return null;
        }
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(Sign(payload), FromBase64Url(signature)))
            {
                return null;
            }
            var claims = JsonSerializer.Deserialize<TokenClaims>(FromBase64Url(payload));
            return claims is not null && claims.Expires > clock.GetUtcNow() ? claims : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The identity-verification hash a host site computes: hex HMAC-SHA256 of the user id.</summary>
    public static string UserHash(string userId, string secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(userId)));

    public static bool VerifyUserHash(string userId, string? hash, string secret) =>
        hash is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(UserHash(userId, secret)), Encoding.ASCII.GetBytes(hash.ToLowerInvariant()));

    private byte[] Sign(string payload) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(payload));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
