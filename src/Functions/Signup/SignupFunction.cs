using FuncAuth.Core.Abuse;
using FuncAuth.Functions.Http;

namespace FuncAuth.Functions;

public static class SignupFunction
{
    public static IEndpointRouteBuilder MapSignup(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/signup", SignupWithVerification.HandleAsync).WithName("Signup")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress)
            .RequireHashSlot();
        return app;
    }
}
