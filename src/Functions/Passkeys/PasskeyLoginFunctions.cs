using System.Text.Json.Nodes;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Passkeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

/// <summary>Sign-in with a passkey (no password): request options with a challenge id, then the assertion.</summary>
public static class PasskeyLoginFunctions
{
    public static IEndpointRouteBuilder MapPasskeyLogin(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/passkeys/login/options", OptionsAsync).WithName("PasskeyLoginOptions")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress);
        return app;
    }

    public static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> OptionsAsync(PasskeyService passkeys, CancellationToken cancellationToken) =>
        passkeys.IsEnabled ? TypedResults.Ok(await passkeys.SignInOptionsAsync(cancellationToken)) : PasskeyFunctions.NotConfigured();
}
