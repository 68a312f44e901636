using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace FuncAuth.Samples.DownstreamApi;

/// <summary>
/// A service that accepts FuncAuth's access tokens. It holds no secret: JwtBearer reads FuncAuth's discovery document
/// at <c>FuncAuth:Authority</c>, takes the public keys from its JWKS, and checks signature, issuer, audience and
/// lifetime. Run it beside FuncAuth:
/// <c>dotnet run --project samples/DownstreamApi</c>, then call <c>GET /whoami</c> with <c>Authorization: Bearer ...</c>.
/// </summary>
public sealed class Program
{
    private Program()
    {
    }

    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var settings = builder.Configuration.GetSection("FuncAuth");

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.Authority = settings["Authority"];
                o.Audience = settings["Audience"];
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy("admin", p => p.RequireRole("admin"));

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/whoami", (ClaimsPrincipal user) => TypedResults.Ok(new WhoAmI(
                user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub"),
                [.. user.FindAll(ClaimTypes.Role).Select(c => c.Value)])))
            .RequireAuthorization();
        app.MapGet("/admin", () => TypedResults.Ok(new { message = "Only administrators see this." }))
            .RequireAuthorization("admin");

        await app.RunAsync();
    }
}

/// <summary>Who the token says the caller is.</summary>
public sealed record WhoAmI(string? Subject, IReadOnlyList<string> Roles);
