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
