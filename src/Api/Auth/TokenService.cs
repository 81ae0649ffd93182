using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using WellWon.Api.Configuration;

namespace WellWon.Api;

/// <summary>Why a token was refused.</summary>
public enum TokenFailure
{
    /// <summary>The token was accepted.</summary>
    None = 0,

    /// <summary>Not a token of this format.</summary>
    Malformed,

    /// <summary>The signature does not match (tampered, or signed with another key).</summary>
    BadSignature,

    /// <summary>Past its expiry.</summary>
    Expired,

    /// <summary>Issued in the future (clock skew beyond the allowance, or forged).</summary>
    NotYetValid,
}

/// <summary>
/// Compact signed bearer tokens: <c>ww1.{payload}.{signature}</c>, both parts base64url without padding. The payload is
/// 32 bytes: the user ID (16, RFC 4122 byte order), issued-at and expiry (8 each, big-endian Unix seconds). The
/// signature is HMAC-SHA256 over the ASCII text <c>ww1.{payload}</c>, compared in constant time; expiry is checked
/// against the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class TokenService
{
    /// <summary>The prefix naming the format version.</summary>
    public const string Prefix = "ww1.";

    /// <summary>Allowed clock skew between API replicas for the issued-at check.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    private const int PayloadBytes = 32;
    private const int SignatureBytes = 32;

    private readonly SigningKeyProvider _keys;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    internal TokenService(SigningKeyProvider keys, TimeProvider time, IOptions<AuthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        _keys = keys;
        _time = time;
        _lifetime = options.Value.TokenLifetime;
    }

    /// <summary>Issues a token for <paramref name="userId"/> valid for the configured lifetime from now.</summary>
    public string Issue(Guid userId)
    {
        var now = _time.GetUtcNow();
        Span<byte> payload = stackalloc byte[PayloadBytes];
        userId.TryWriteBytes(payload[..16], bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(payload[16..], now.ToUnixTimeSeconds());
        BinaryPrimitives.WriteInt64BigEndian(payload[24..], (now + _lifetime).ToUnixTimeSeconds());
        var signed = Prefix + Base64Url.EncodeToString(payload);
        Span<byte> signature = stackalloc byte[SignatureBytes];
        HMACSHA256.HashData(_keys.Key, Encoding.ASCII.GetBytes(signed), signature);
        return signed + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Checks a token; on success <paramref name="userId"/> is its subject.</summary>
    public TokenFailure Validate(string? token, out Guid userId)
    {
        userId = Guid.Empty;
        if (string.IsNullOrEmpty(token) || token.Length > 200 || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return TokenFailure.Malformed;
        }

        var dot = token.IndexOf('.', Prefix.Length);
        if (dot < 0)
        {
            return TokenFailure.Malformed;
        }

        Span<byte> payload = stackalloc byte[48];
        Span<byte> given = stackalloc byte[48];
        if (Base64Url.DecodeFromChars(token.AsSpan(Prefix.Length, dot - Prefix.Length), payload, out _, out var payloadLength) != System.Buffers.OperationStatus.Done ||
            payloadLength != PayloadBytes ||
            Base64Url.DecodeFromChars(token.AsSpan(dot + 1), given, out _, out var givenLength) != System.Buffers.OperationStatus.Done ||
            givenLength != SignatureBytes)
        {
            return TokenFailure.Malformed;
        }

        Span<byte> expected = stackalloc byte[SignatureBytes];
        HMACSHA256.HashData(_keys.Key, Encoding.ASCII.GetBytes(token.AsSpan(0, dot).ToArray()), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, given[..SignatureBytes]))
        {
            return TokenFailure.BadSignature;
        }

        var issuedAt = BinaryPrimitives.ReadInt64BigEndian(payload[16..]);
        var expires = BinaryPrimitives.ReadInt64BigEndian(payload[24..]);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (now >= expires)
        {
            return TokenFailure.Expired;
        }

        if (issuedAt > now + (long)ClockSkew.TotalSeconds)
        {
            return TokenFailure.NotYetValid;
        }

        userId = new Guid(payload[..16], bigEndian: true);
        return userId == Guid.Empty ? TokenFailure.Malformed : TokenFailure.None;
    }
}
