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
if (args is ["limits", ..])
{
    await FuncAuth.Benchmarks.LimiterBench.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15);
    return 0;
}

// API keys (against Azurite, see ApiKeys/ApiKeyBench.cs): ... -- api-keys timing | api-keys load
if (args is ["api-keys", .. var apiKeyArgs])
{
    return await FuncAuth.Benchmarks.ApiKeys.ApiKeyBench.RunAsync(apiKeyArgs);
}

// The published app under load, cold starts, GC settings (see bench/load.sh): ... -- load | coldstart N | gc
if (args is ["load", .. var loadArgs])
{
    return await FuncAuth.Benchmarks.Load.LoadBench.RunLoadAsync(loadArgs);
}

// The hash bulkhead under waves of concurrent logins, refresh and me measured beside them: ... -- flood --app DIR
if (args is ["flood", .. var floodArgs])
{
    return await FuncAuth.Benchmarks.Load.FloodBench.RunAsync(floodArgs);
}

if (args is ["coldstart", .. var coldArgs])
{
    return await FuncAuth.Benchmarks.Load.ColdStartBench.RunAsync(coldArgs);
}

if (args is ["gc", .. var gcArgs])
{
    return await FuncAuth.Benchmarks.Load.LoadBench.RunGcAsync(gcArgs);
}

if (args is ["no-enumeration", ..])
{
    await FuncAuth.Benchmarks.NoEnumerationBench.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21);
    return 0;
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
var ring = new SigningKeyRing(new DevelopmentSigningKey(null, time), Microsoft.Extensions.Options.Options.Create(new AuthOptions()), time, NullLogger<SigningKeyRing>.Instance);
var keys = await ring.GetAsync(CancellationToken.None);
var tokens = new AccessTokens(Microsoft.Extensions.Options.Options.Create(new AuthOptions()), ring, time);
var user = new UserAccount(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), "ann@example.com", "Ann", ["user"], time.GetUtcNow());
var proof = new SessionProof(time.GetUtcNow(), ["pwd"]);
var jwt = tokens.Issue(user, "s1", "j1", time.GetUtcNow(), keys.Current, proof);
var signingInput = System.Text.Encoding.ASCII.GetBytes(jwt[..jwt.LastIndexOf('.')]);
using var bareKey = ECDsa.Create();
bareKey.ImportFromPem(DevelopmentPem());
using var barePublic = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = bareKey.ExportParameters(false).Q });
var bareSignature = bareKey.SignData(signingInput, HashAlgorithmName.SHA256);

// The HS256 tokens of the previous release, built and validated the way it did, as the baseline of this run.
var hs = new Hs256(RandomNumberGenerator.GetBytes(32), new AuthOptions());
var hsJwt = hs.Issue(user);

Console.WriteLine();
Console.WriteLine("Access tokens (µs, median of {0} batches of 100)", tokenRuns / 100);
var hsIssue = Median(tokenRuns / 100, () => { for (var i = 0; i < 100; i++) { hs.Issue(user); } }) * 10;
var hsValidate = Median(tokenRuns / 100, () => { for (var i = 0; i < 100; i++) { hs.Validate(hsJwt); } }) * 10;
var bareSign = Median(tokenRuns / 100, () => { for (var i = 0; i < 100; i++) { bareKey.SignData(signingInput, HashAlgorithmName.SHA256); } }) * 10;
var bareVerify = Median(tokenRuns / 100, () => { for (var i = 0; i < 100; i++) { barePublic.VerifyData(signingInput, bareSignature, HashAlgorithmName.SHA256); } }) * 10;
var issue = Median(tokenRuns / 100, () => { for (var i = 0; i < 100; i++) { tokens.Issue(user, "s1", "j1", time.GetUtcNow(), keys.Current, proof); } }) * 10;
var validate = Median(tokenRuns / 100, () => { for (var i = 0; i < 100; i++) { tokens.ValidateAsync(jwt, CancellationToken.None).GetAwaiter().GetResult(); } }) * 10;
Report("HS256 issue (previous release)", hsIssue, hsIssue, "baseline for issue");
Report("HS256 validate (previous release)", hsValidate, hsValidate, "baseline for validate");
Report("bare ECDSA P-256 sign", bareSign, hsIssue, "vs HS256 issue");
Report("bare ECDSA P-256 verify", bareVerify, hsValidate, "vs HS256 validate");
Report("ES256 issue a JWT", issue, hsIssue, $"vs HS256 issue; x{issue / bareSign:N2} bare sign");
Report("ES256 validate a JWT (strict)", validate, hsValidate, $"vs HS256 validate; x{validate / bareVerify:N2} bare verify (limit 3)");
Console.WriteLine();
Console.WriteLine("Allocated per operation (bytes)");
Console.WriteLine("  {0,-40} {1,10:N0}", "HS256 issue", AllocatedPer(1000, () => hs.Issue(user)));
Console.WriteLine("  {0,-40} {1,10:N0}", "HS256 validate", AllocatedPer(1000, () => hs.Validate(hsJwt)));
Console.WriteLine("  {0,-40} {1,10:N0}", "bare ECDSA P-256 verify", AllocatedPer(1000, () => barePublic.VerifyData(signingInput, bareSignature, HashAlgorithmName.SHA256)));
Console.WriteLine("  {0,-40} {1,10:N0}", "ES256 issue", AllocatedPer(1000, () => tokens.Issue(user, "s1", "j1", time.GetUtcNow(), keys.Current, proof)));
Console.WriteLine("  {0,-40} {1,10:N0}", "ES256 validate", AllocatedPer(1000, () => tokens.ValidateAsync(jwt, CancellationToken.None).GetAwaiter().GetResult()));
return 0;

string DevelopmentPem()
{
    // The bench signs with a key of its own; the bare baseline uses the same curve and the same signing input.
    using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    return key.ExportPkcs8PrivateKeyPem();
}

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

/// <summary>HS256 access tokens as the previous release issued and validated them: the baseline of the ES256 rows.</summary>
internal sealed class Hs256(byte[] secret, AuthOptions settings)
{
    private readonly Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly Microsoft.IdentityModel.Tokens.SymmetricSecurityKey _key = new(secret) { KeyId = "hs" };

    private Microsoft.IdentityModel.Tokens.TokenValidationParameters Parameters => _parameters ??= new()
    {
        ValidAlgorithms = [Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256],
        ValidTypes = ["at+jwt"],
        ValidIssuer = settings.Issuer,
        ValidAudience = settings.Audience,
        IssuerSigningKeys = [_key],
        TryAllIssuerSigningKeys = false,
        ValidateLifetime = false,
    };

    private Microsoft.IdentityModel.Tokens.TokenValidationParameters? _parameters;

    public string Issue(UserAccount user) => _handler.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
    {
        TokenType = "at+jwt",
        Issuer = settings.Issuer,
        Audience = settings.Audience,
        IssuedAt = DateTime.UtcNow,
        NotBefore = DateTime.UtcNow,
        Expires = DateTime.UtcNow.AddMinutes(15),
        SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(_key, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        Claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = user.Id, ["client_id"] = settings.ClientId, ["jti"] = "j1", ["sid"] = "s1", ["email"] = user.Email, ["roles"] = user.Roles.ToArray(),
        },
    });

    public bool Validate(string token) => _handler.ValidateTokenAsync(token, Parameters).GetAwaiter().GetResult().IsValid;
}
