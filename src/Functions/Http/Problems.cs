using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

/// <summary>The one way to build an RFC 9457 Problem Details answer: from an <see cref="ErrorCodes"/> entry, which fixes the status.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(ApiError error, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = error.Code };
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }

        return TypedResults.Problem(detail: detail, statusCode: error.Status, extensions: extensions);
    }

    public static ProblemHttpResult Validation(IReadOnlyDictionary<string, string[]> errors) =>
        Create(ErrorCodes.ValidationFailed, "One or more fields are invalid.", errors);

    public static ProblemHttpResult NotFound(string detail = "No such resource.") =>
        Create(ErrorCodes.NotFound, detail);

    public static ProblemHttpResult PayloadTooLarge() =>
        Create(ErrorCodes.PayloadTooLarge, $"The body is larger than {RequestLimits.MaxBodyBytes / 1024} KiB.");
}
