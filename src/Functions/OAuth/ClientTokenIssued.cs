using FuncAuth.Functions.ApiKeys;

namespace FuncAuth.Functions.OAuth;

/// <summary>RFC 6749 §5.1 answer of the client_credentials grant: the token, no refresh token, never cached.</summary>
public sealed class ClientTokenIssued(ClientTokenResponse value) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ClientTokenResponse>
{
    public int? StatusCode => StatusCodes.Status200OK;

    public ClientTokenResponse? Value => value;

    object? IValueHttpResult.Value => value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        return response.WriteAsJsonAsync(value, ApiKeyJsonContext.Default.ClientTokenResponse, "application/json; charset=utf-8", httpContext.RequestAborted);
    }
}
