using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace FuncAuth.Samples.OidcWebApp;

/// <summary>
/// A web app that lets FuncAuth sign its users in, built on ASP.NET Core's own OpenID Connect handler and configured
/// with what any OpenID Connect provider needs: the authority (FuncAuth's Auth__Issuer), a client id registered there
/// (OAuth__Clients__&lt;n&gt;__ClientId), the callback path registered as its redirect URI, and the code flow. Everything
/// else the handler reads from FuncAuth's discovery document.
///
///   dotnet run --project samples/OidcWebApp -- --urls http://localhost:5175 \
///     --FuncAuth:Authority http://localhost:7071 --FuncAuth:ClientId oidc-web-app
/// </summary>
public sealed class Program
{
    private Program()
    {
    }

    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var funcAuth = builder.Configuration.GetSection("FuncAuth");
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddOpenIdConnect(o =>
            {
                o.Authority = funcAuth["Authority"];
                o.ClientId = funcAuth["ClientId"];
                o.CallbackPath = funcAuth["CallbackPath"] ?? "/signin-oidc";
                // The handler's default is the implicit flow (response_type=id_token), which OAuth 2.1 removes and
                // FuncAuth refuses: ask for the code flow, with PKCE (the handler's default for it).
                o.ResponseType = "code";
                // Metadata over plain http only from a local FuncAuth (run-local.sh); anywhere else it must be https.
                o.RequireHttpsMetadata = !(Uri.TryCreate(o.Authority, UriKind.Absolute, out var authority) && authority.IsLoopback);
            });
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/", (HttpContext context) =>
        {
            var user = context.User;
            var rows = string.Concat(user.Claims.Select(c => $"<tr><th>{WebUtility.HtmlEncode(c.Type)}</th><td>{WebUtility.HtmlEncode(c.Value)}</td></tr>"));
            return Results.Content(
                $$"""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>OIDC web app</title>
                <style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem}</style></head>
                <body><h1>Signed in through FuncAuth</h1><p>The ID token's claims, as ASP.NET Core's OpenID Connect handler validated them:</p>
                <table id="claims">{{rows}}</table></body></html>
                """,
                "text/html; charset=utf-8");
        }).RequireAuthorization();

        await app.RunAsync();
    }
}
