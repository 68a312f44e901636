using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace FuncAuth.Tests.Support;

/// <summary>
/// HTTPS stand-in for the read side of the Key Vault secrets REST API (get a version, get the newest,
/// list versions), served on loopback so the real <see cref="SecretClient"/> can be tested without Azure,
/// which offers no local emulator for Key Vault.
/// </summary>
/// <remarks>
/// Mirrors the real service where tests could notice: the challenge-based bearer handshake, 403 for a
/// disabled version (also when it is the newest and no version is named), 404 SecretNotFound, an empty
/// list for versions of an unknown secret, listings without values, ordered by version id rather than age
/// and paged by <c>maxresults</c> (at most 25) with a <c>nextLink</c>.
/// </remarks>
public sealed class KeyVaultStandIn : IAsyncDisposable
{
    private const string Token = "key-vault-stand-in-token";
    private const string VaultScope = "https://vault.azure.net/.default";

    // Real vaults name their tenant's authority and the vault resource; the SDK asks the credential
    // for "<resource>/.default", so the resource must be exactly the public vault audience.
    private static readonly string Challenge =
        $"Bearer authorization=\"https://login.microsoftonline.com/{Guid.NewGuid()}\", resource=\"https://vault.azure.net\"";

    // Key Vault writes "Recoverable+Purgeable" literally; the default encoder would escape the plus.
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly HttpClient _httpClient;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<SecretVersion>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private long _lastStamp;
    private int _requestCount;
    private volatile bool _unavailable;

    private KeyVaultStandIn(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        _certificate = certificate;
        _httpClient = new HttpClient(new SocketsHttpHandler
        {
            // Trust this stand-in's own certificate and nothing else, so a test cannot reach another host by accident.
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(certificate.RawData) },
        });
    }

    /// <summary>Base address to give a <see cref="SecretClient"/>, e.g. <c>https://127.0.0.1:PORT/</c>.</summary>
    public Uri VaultUri { get; private set; } = null!;

    /// <summary>Credential that hands out the one bearer token this stand-in accepts, only for the vault scope.</summary>
    public TokenCredential Credential { get; } = new FixedTokenCredential(Token);

    /// <summary>The clock that stamps a version's <c>created</c> time: the app's fake clock in tests that move time.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>When true, every request is answered 503, as during a Key Vault outage.</summary>
    public bool Unavailable { get => _unavailable; set => _unavailable = value; }

    /// <summary>
    /// Every HTTP request received, including the unauthenticated challenge round-trip a client makes the
    /// first time it talks to this stand-in and requests answered 503 or 401.
    /// </summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Starts a stand-in on a free loopback port with a fresh self-signed certificate.</summary>
    public static async Task<KeyVaultStandIn> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var standIn = new KeyVaultStandIn(app, certificate);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        standIn.VaultUri = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return standIn;
    }

    /// <summary>
    /// Options that trust only this stand-in's certificate, skip the check that the challenge names a
    /// *.vault.azure.net host, and do not retry, so failure tests are fast and request counts exact.
    /// </summary>
    public SecretClientOptions CreateClientOptions()
    {
        var options = new SecretClientOptions
        {
            DisableChallengeResourceVerification = true,
            Transport = new HttpClientTransport(_httpClient),
        };
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }

    /// <summary>
    /// Adds a new newest version of <paramref name="name"/> and returns its version id (32 lowercase hex digits).
    /// Its <c>created</c> time is at least one second after any earlier version's, because Key Vault stamps
    /// whole unix seconds and equal stamps would leave the order of versions ambiguous.
    /// </summary>
    public string AddSecretVersion(string name, string value, bool enabled = true)
    {
        var id = RandomNumberGenerator.GetHexString(32, lowercase: true);
        lock (_gate)
        {
            var stamp = NextStamp();
            if (!_secrets.TryGetValue(name, out var versions))
            {
                _secrets[name] = versions = [];
            }

            versions.Add(new SecretVersion(name, id, value, stamp) { Enabled = enabled, Updated = stamp });
        }

        return id;
    }

    /// <summary>Enables or disables one version, as an operator would in the portal.</summary>
    public void SetEnabled(string name, string version, bool enabled)
    {
        lock (_gate)
        {
            var found = _secrets.GetValueOrDefault(name)?.Find(v => v.Id.Equals(version, StringComparison.OrdinalIgnoreCase))
                ?? throw new KeyNotFoundException($"No version {version} of secret {name}.");
            found.Enabled = enabled;
            found.Updated = NextStamp();
        }
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _httpClient.Dispose();
        _certificate.Dispose();
    }

    private long NextStamp() =>
        _lastStamp = Math.Max(Clock.GetUtcNow().ToUnixTimeSeconds(), _lastStamp + 1);

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requestCount);
        var (status, body) = Answer(context.Request);
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = Challenge;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    private (int Status, object Body) Answer(HttpRequest request)
    {
        if (Unavailable)
        {
            return (503, Error("ServiceUnavailable", "The Key Vault stand-in is set to be unavailable."));
        }

        // The SDK's first request to a vault carries no token on purpose: it learns authority and scope from this 401.
        if (request.Headers.Authorization.ToString() != "Bearer " + Token)
        {
            return (401, Error("Unauthorized", request.Headers.Authorization.Count == 0
                ? "Request is missing a Bearer or PoP token."
                : "The bearer token is not valid for this vault."));
        }

        var apiVersion = request.Query["api-version"].ToString();
        if (apiVersion.Length == 0)
        {
            return (400, Error("BadParameter", "The 'api-version' query parameter is required."));
        }

        var segments = request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is < 2 or > 3 || segments[0] != "secrets")
        {
            return (404, Error("NotFound", $"The stand-in serves no {request.Path}."));
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            return (405, Error("MethodNotAllowed", $"The stand-in serves only GET, not {request.Method}."));
        }

        var name = segments[1];
        lock (_gate)
        {
            var versions = _secrets.GetValueOrDefault(name) ?? [];
            return segments.Length == 3 && segments[2] == "versions"
                ? (200, ListPage(name, versions, request.Query, apiVersion))
                : Get(name, versions, segments.Length == 3 ? segments[2] : null);
        }
    }

    private (int Status, object Body) Get(string name, List<SecretVersion> versions, string? version)
    {
        var found = version is null
            ? versions.LastOrDefault()
            : versions.Find(v => v.Id.Equals(version, StringComparison.OrdinalIgnoreCase));
        if (found is null)
        {
            return (404, Error("SecretNotFound", $"A secret with (name/id) {name}{(version is null ? "" : "/" + version)} was not found in this key vault."));
        }

        if (!found.Enabled)
        {
            return (403, new { error = new { code = "Forbidden", message = "Operation get is not allowed on a disabled secret.", innererror = new { code = "SecretDisabled" } } });
        }

        return (200, new
        {
            value = found.Value,
            id = IdOf(found),
            attributes = new { enabled = true, created = found.Created, updated = found.Updated, recoveryLevel = "Recoverable+Purgeable" },
        });
    }

    private object ListPage(string name, List<SecretVersion> versions, IQueryCollection query, string apiVersion)
    {
        var size = int.TryParse(query["maxresults"], out var max) ? Math.Clamp(max, 1, 25) : 25;
        var skip = int.TryParse(query["$skiptoken"], out var token) ? Math.Max(token, 0) : 0;
        var ordered = versions.OrderBy(v => v.Id, StringComparer.Ordinal).ToList();
        var nextLink = skip + size < ordered.Count
            ? $"{VaultUri}secrets/{Uri.EscapeDataString(name)}/versions?api-version={apiVersion}&maxresults={size}&$skiptoken={skip + size}"
            : null;
        return new
        {
            value = ordered.Skip(skip).Take(size).Select(v => new
            {
                id = IdOf(v),
                attributes = new { enabled = v.Enabled, created = v.Created, updated = v.Updated },
            }),
            nextLink,
        };
    }

    private string IdOf(SecretVersion version) => $"{VaultUri}secrets/{Uri.EscapeDataString(version.Name)}/{version.Id}";

    private static object Error(string code, string message) => new { error = new { code, message } };

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Key Vault stand-in", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // CreateSelfSigned leaves the key ephemeral, which some TLS stacks refuse to serve with; a PFX round-trip
        // gives the certificate an ordinary private key on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), password: null);
    }

    private sealed record SecretVersion(string Name, string Id, string Value, long Created)
    {
        public bool Enabled { get; set; }
        public long Updated { get; set; }
    }

    private sealed class FixedTokenCredential(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            requestContext.Scopes is [VaultScope]
                ? new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1))
                : throw new InvalidOperationException($"Asked for scopes '{string.Join(' ', requestContext.Scopes)}', not the vault scope.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
