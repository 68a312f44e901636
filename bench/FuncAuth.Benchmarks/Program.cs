using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Options;
using FuncAuth.Core.Passwords;
using FuncAuth.Core.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging.Abstractions;

// Medians of repeated runs, each compared with a baseline measured in the same run, so the figures mean the same on a
// fast or a busy machine. Run: dotnet run -c Release --project bench/FuncAuth.Benchmarks
if (args is ["no-enumeration", ..])
{
    await FuncAuth.Benchmarks.NoEnumerationBench.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21);
    return;
}

var passwordRuns = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
const int tokenRuns = 20_000;

var hashing = new PasswordHashing();
const string password = "correct horse battery staple";
var stored = hashing.Hash(password);
var identityDefault = new PasswordHasher<object>();
var identityHash = identityDefault.HashPassword(null!, password);
hashing.VerifyDecoy(password);

Console.WriteLine("Passwords (ms, median of {0})", passwordRuns);
var baseline = Median(passwordRuns, () => identityDefault.VerifyHashedPassword(null!, identityHash, password));
var verify = Median(passwordRuns, () => hashing.Verify(stored, password));
var wrong = Median(passwordRuns, () => hashing.Verify(stored, "wrong password"));
var decoy = Median(passwordRuns, () => hashing.VerifyDecoy(password));
Report("Identity default (100k iterations)", baseline, baseline, "baseline");
Report("FuncAuth verify, right password", verify, baseline, "target ~2.1: 210k iterations");
Report("FuncAuth verify, wrong password", wrong, verify, "vs right password; target ~1.0");
Report("unknown email (decoy verify)", decoy, verify, "vs right password; target ~1.0 (no enumeration)");

var time = TimeProvider.System;
var ring = new SigningKeyRing(new DevelopmentSigningKey(null, time), time, NullLogger<SigningKeyRing>.Instance);
var keys = await ring.GetAsync(CancellationToken.None);
var tokens = new AccessTokens(Microsoft.Extensions.Options.Options.Create(new AuthOptions()), ring, time);
var user = new UserAccount(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), "ann@example.com", "Ann", ["user"], time.GetUtcNow());
var jwt = tokens.Issue(user, "s1", "j1", time.GetUtcNow(), keys.Current);
var payload = System.Text.Encoding.ASCII.GetBytes(jwt[..jwt.LastIndexOf('.')]);
var hmacKey = RandomNumberGenerator.GetBytes(32);

Console.WriteLine();
Console.WriteLine("Access tokens (µs, median of {0} batches of 100)", tokenRuns / 100);
var hmac = Median(tokenRuns / 100, () => { for (var i = 0; i < 100; i++) { HMACSHA256.HashData(hmacKey, payload); } }) * 10;
var issue = Median(tokenRuns / 100, () => { for (var i = 0; i < 100; i++) { tokens.Issue(user, "s1", "j1", time.GetUtcNow(), keys.Current); } }) * 10;
var validate = Median(tokenRuns / 100, () => { for (var i = 0; i < 100; i++) { tokens.ValidateAsync(jwt, CancellationToken.None).GetAwaiter().GetResult(); } }) * 10;
Report("HMAC-SHA256 of the JWT's signed part", hmac, hmac, "baseline");
Report("issue a JWT", issue, hmac, "");
Report("validate a JWT (strict)", validate, hmac, "");
Console.WriteLine();
Console.WriteLine("Allocated per JWT validation: {0:N0} bytes", AllocatedPer(1000, () => tokens.ValidateAsync(jwt, CancellationToken.None).GetAwaiter().GetResult()));

static double Median(int runs, Action action)
{
    action();
    var samples = new double[runs];
    for (var i = 0; i < runs; i++)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    Array.Sort(samples);
    return runs % 2 == 1 ? samples[runs / 2] : (samples[(runs / 2) - 1] + samples[runs / 2]) / 2;
}

static long AllocatedPer(int runs, Action action)
{
    action();
    var before = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < runs; i++)
    {
        action();
    }

    return (GC.GetAllocatedBytesForCurrentThread() - before) / runs;
}

static void Report(string name, double median, double baseline, string note) =>
    Console.WriteLine("  {0,-40} {1,10:N3}  x{2,6:N2}  {3}", name, median, median / baseline, note);
