using System.Security.Cryptography;
using System.Text;
using FuncAuth.Core.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Passwords;

/// <summary>
/// ASP.NET Core Identity's PBKDF2-HMAC-SHA512 hasher at OWASP's recommended work factor. Passwords are
/// NFKC-normalised first (NIST SP 800-63B §5.1.1.2) so the same password typed on two keyboards matches. The PBKDF2
/// computations run on the low-priority <see cref="HashThreads"/>; the caller waits for them.
/// </summary>
public sealed class PasswordHashing
{
    /// <summary>OWASP Password Storage Cheat Sheet, PBKDF2-HMAC-SHA512.</summary>
    public const int IterationCount = 210_000;

    private readonly PasswordHasher<UserAccount> _hasher = new(Microsoft.Extensions.Options.Options.Create(
        new PasswordHasherOptions { CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3, IterationCount = IterationCount }));

    // Verified against when the email is unknown, so an unknown address costs the same as a wrong password.
    private readonly Lazy<string> _decoyHash;

    private readonly HashThreads _threads;

    public PasswordHashing()
        : this(Microsoft.Extensions.Options.Options.Create(new HashingOptions()), NullLogger<PasswordHashing>.Instance)
    {
    }

    public PasswordHashing(IOptions<HashingOptions> options, ILogger<PasswordHashing> logger)
    {
        _threads = HashThreads.Shared(options.Value.MaxConcurrentHashes, logger);
        _decoyHash = new(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));
    }

    public string Hash(string password)
    {
        var prepared = Prepare(password);
        return _threads.Run(() => _hasher.HashPassword(null!, prepared));
    }

    public PasswordCheck Verify(string hash, string password)
    {
        var prepared = Prepare(password);
        var check = Check(hash, prepared);
        if (check == PasswordCheck.Failed && !string.Equals(prepared, password, StringComparison.Ordinal))
        {
            // Hashes written while the build ran with invariant globalization were of the password as typed (Normalize
            // did nothing there). Such a password still logs in, and is rehashed in its normalised form. Only passwords
            // that normalisation changes pay this second verification, known account or not.
            return Check(hash, password) == PasswordCheck.Failed ? PasswordCheck.Failed : PasswordCheck.SucceededRehashNeeded;
        }

        return check;
    }

    private PasswordCheck Check(string hash, string prepared) =>
        _threads.Run(() => _hasher.VerifyHashedPassword(null!, hash, prepared)) switch
        {
            PasswordVerificationResult.Success => PasswordCheck.Succeeded,
            PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.SucceededRehashNeeded,
            _ => PasswordCheck.Failed,
        };

    /// <summary>Spends the time of one verification without a user, and always fails.</summary>
    public PasswordCheck VerifyDecoy(string password)
    {
        _ = Verify(_decoyHash.Value, password);
        return PasswordCheck.Failed;
    }

    private static string Prepare(string password) =>
        TextRules.IsValidUtf16(password) ? password.Normalize(NormalizationForm.FormKC) : password;
}
