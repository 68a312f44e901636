using FuncAuth.Functions.Http;

namespace FuncAuth.Functions.ApiKeys;

/// <summary>Why an API-key credential was refused; the authentication challenge answers with it.</summary>
internal sealed record ApiKeyFailure(ApiError Error, string Detail, bool Bearer)
{
    public Task ExecuteAsync(HttpContext context)
    {
        if (Error.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = Bearer
                ? $"Bearer error=\"invalid_token\", error_description=\"{Detail}\""
                : $"ApiKey realm=\"funcauth\", header=\"{ApiKeyAuthentication.HeaderName}\"";
        }

        return Problems.Create(Error, Detail).ExecuteAsync(context);
    }
}
