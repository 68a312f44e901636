using OtpNet;

namespace FuncAuth.Core.Mfa;

/// <summary>RFC 6238 codes as FuncAuth accepts them: SHA-1, 6 digits, 30 s steps, one step of skew either way (Otp.NET).</summary>
internal static class TotpCode
{
    private static readonly VerificationWindow Skew = new(previous: 1, future: 1);

    /// <summary>The time step whose code <paramref name="code"/> is, within one step either way of <paramref name="now"/>; null if none.</summary>
    public static long? Match(byte[] secret, string? code, DateTimeOffset now)
    {
        if (code is not { Length: 6 } || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        return new Totp(secret).VerifyTotp(now.UtcDateTime, code, out var step, Skew) ? step : null;
    }
}
