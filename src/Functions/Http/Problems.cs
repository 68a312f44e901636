using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

/// <summary>The one way to build an RFC 9457 Problem Details answer: from an <see cref="ErrorCodes"/> entry, which fixes the status.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(
        ApiError error, string detail, IReadOnlyDictionary<string, string[]>? errors = null, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?> { ["code"] = error.Code };
        if (errors is not null)
        {
            all["errors"] = errors;
        }

        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
        {
            all[name] = value;
        }

        // ASP.NET Core has no default title or type for 429, so they are given here.
        return error.Status == StatusCodes.Status429TooManyRequests
            ? TypedResults.Problem(detail: detail, statusCode: error.Status, title: "Too Many Requests", type: "https://tools.ietf.org/html/rfc6585#section-4", extensions: all)
            : TypedResults.Problem(detail: detail, statusCode: error.Status, extensions: all);
    }

    public static ProblemHttpResult Validation(IReadOnlyDictionary<string, string[]> errors) =>
        Create(ErrorCodes.ValidationFailed, "One or more fields are invalid.", errors);

    public static ProblemHttpResult NotFound(string detail = "No such resource.") =>
        Create(ErrorCodes.NotFound, detail);

    public static ProblemHttpResult PayloadTooLarge() =>
        Create(ErrorCodes.PayloadTooLarge, $"The body is larger than {RequestLimits.MaxBodyBytes / 1024} KiB.");
}
