using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

/// <summary>The one mapping from an error to RFC 9457 Problem Details with its <c>code</c>.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions);
    }

    public static ProblemHttpResult Validation(IReadOnlyDictionary<string, string[]> errors) =>
        Create(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ValidationFailed, "One or more fields are invalid.", errors);

    public static ProblemHttpResult NotFound(string detail = "No such resource.") =>
        Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, detail);

    public static ProblemHttpResult Unauthorized(string code, string detail) =>
        Create(StatusCodes.Status401Unauthorized, code, detail);

    public static ProblemHttpResult PayloadTooLarge() =>
        Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The body is larger than {RequestLimits.MaxBodyBytes / 1024} KiB.");
}
