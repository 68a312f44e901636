using FuncAuth.Core.Sessions;

namespace FuncAuth.Functions.Http;

/// <summary>The authenticated caller of a protected endpoint, bound from what authentication established.</summary>
public sealed record Caller(AuthenticatedSession Session)
{
    public static ValueTask<Caller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Features.Get<AuthenticatedSession>() is { } session ? new Caller(session) : null);
}
