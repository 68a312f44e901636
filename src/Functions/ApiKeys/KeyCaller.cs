using FuncAuth.Core.ApiKeys;

namespace FuncAuth.Functions.ApiKeys;

/// <summary>The caller behind an API key or an access token issued to one, bound from what authentication established.</summary>
public sealed record KeyCaller(AuthenticatedApiKey Key)
{
    public static ValueTask<KeyCaller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Features.Get<AuthenticatedApiKey>() is { } key ? new KeyCaller(key) : null);
}
