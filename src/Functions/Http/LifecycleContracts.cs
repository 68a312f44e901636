using System.Text.Json.Serialization;
using FuncAuth.Core.Accounts.Lifecycle;

namespace FuncAuth.Functions.Http;

public sealed record TokenRequest(string? Token);

public sealed record EmailRequest(string? Email);

public sealed record ResetPasswordRequest(string? Token, string? Password, string? PasswordConfirmation);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? Password, string? PasswordConfirmation);

public sealed record UpdateMeRequest(string? Name);

public sealed record PasswordRequest(string? Password);

/// <summary>Force-logout's optional body: <c>apiKeys</c> also revokes every API key of the user.</summary>
public sealed record ForceLogoutRequest(bool? ApiKeys);

/// <summary>The answer of requests whose outcome must not be told (resend, forgot, sign-up with verification).</summary>
public sealed record StatusResponse(string Status);

public sealed record SessionResponse(
    string Id, bool Current, DateTimeOffset CreatedAt, DateTimeOffset? LastRefreshedAt, DateTimeOffset ExpiresAt, string? UserAgent,
    string Device, DateTimeOffset LastUsedAt)
{
    public static SessionResponse From(SessionInfo session) =>
        new(session.Id, session.Current, session.CreatedAt, session.LastRefreshedAt, session.ExpiresAt, session.UserAgent,
            session.Device, session.LastUsedAt);
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(EmailRequest))]
[JsonSerializable(typeof(ResetPasswordRequest))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(UpdateMeRequest))]
[JsonSerializable(typeof(PasswordRequest))]
[JsonSerializable(typeof(ForceLogoutRequest))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(IReadOnlyList<SessionResponse>))]
[JsonSerializable(typeof(IReadOnlyList<UserResponse>))]
internal sealed partial class LifecycleJsonContext : JsonSerializerContext;

/// <summary>Wiring of the lifecycle endpoints that is not a route: the client's User-Agent for sessions.</summary>
public static class LifecycleSetup
{
    public static IServiceCollection AddFuncAuthLifecycleEdge(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<FuncAuth.Core.Sessions.IClientInfo, HttpClientInfo>();
        return services;
    }

    /// <summary>Personal data: no cache on the way may keep it.</summary>
    public static RouteHandlerBuilder NoStore(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(async (context, next) =>
    {
        context.HttpContext.Response.Headers.CacheControl = "no-store";
        return await next(context);
    });

    private sealed class HttpClientInfo(IHttpContextAccessor accessor) : FuncAuth.Core.Sessions.IClientInfo
    {
        public string? UserAgent => accessor.HttpContext?.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null;

        public string? ClientAddress => accessor.HttpContext is { } context ? FuncAuth.Functions.Http.ClientAddress.Describe(context).Address : null;

        public string? ClientAddressClass => accessor.HttpContext is { } context ? FuncAuth.Functions.Http.ClientAddress.Describe(context).Class : "absent";
    }
}
