namespace FuncAuth.Core.Tokens;

/// <summary>A refresh token taken apart: enough to find its session with one point read.</summary>
internal sealed record RefreshTokenParts(string UserId, string SessionId, long Counter, string KeyId);
