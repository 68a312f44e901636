using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace FuncAuth.Tests.Support;

/// <summary>
/// The sample downstream API (samples/DownstreamApi) in-process, configured exactly as it ships: <c>Authority</c> and
/// <c>Audience</c> only. The one thing a test adds is the transport: JwtBearer's backchannel goes to FuncAuth's
/// in-process test server, so discovery and JWKS are fetched over (in-memory) HTTP from the real endpoints.
/// </summary>
public sealed class DownstreamApiApp(
    string authority,
    string audience,
    HttpMessageHandler funcAuth,
    IConfigurationManager<OpenIdConnectConfiguration>? configurationManager = null)
    : WebApplicationFactory<FuncAuth.Samples.DownstreamApi.Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("FuncAuth:Authority", authority);
        builder.UseSetting("FuncAuth:Audience", audience);
        builder.ConfigureTestServices(services => services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
        {
            // Configure runs before JwtBearer's own post-configuration, which builds the metadata client from these.
            o.BackchannelHttpHandler = funcAuth;
            if (configurationManager is not null)
            {
                o.ConfigurationManager = configurationManager;
            }
        }));
    }

    /// <summary>GET /whoami with the token; the status says whether the downstream API accepted it.</summary>
    public async Task<System.Net.HttpStatusCode> CallAsync(string accessToken)
    {
        using var client = CreateClient();
        using var response = await client.GetAsync("/whoami", accessToken);
        return response.StatusCode;
    }
}

/// <summary>
/// A relying party's discovery and JWKS cache that follows the JWKS <c>Cache-Control: max-age</c> on a given clock and
/// never refreshes early, even for an unknown kid: the strictest cache a downstream service could run. Counts fetches.
/// </summary>
public sealed class MaxAgeConfigurationManager(string authority, HttpMessageHandler funcAuth, TimeProvider time)
    : IConfigurationManager<OpenIdConnectConfiguration>
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OpenIdConnectConfiguration? _cached;
    private DateTimeOffset _expiresAt;

    public int Fetches { get; private set; }

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel);
        try
        {
            if (_cached is null || time.GetUtcNow() >= _expiresAt)
            {
                using var http = new HttpClient(funcAuth, disposeHandler: false);
                var fetchedAt = time.GetUtcNow();
                _cached = await OpenIdConnectConfigurationRetriever.GetAsync(
                    authority + "/.well-known/openid-configuration", new HttpDocumentRetriever(http), cancel);
                using var jwks = await http.GetAsync(_cached.JwksUri, cancel);
                var maxAge = jwks.Headers.CacheControl?.MaxAge ?? throw new InvalidOperationException("The JWKS carries no max-age.");
                _expiresAt = fetchedAt + maxAge;
                Fetches++;
            }

            return _cached;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void RequestRefresh()
    {
        // Deliberately ignored: the cache is held for its full max-age.
    }
}
