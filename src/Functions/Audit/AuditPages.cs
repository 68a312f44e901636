using System.Globalization;
using FuncAuth.Core.Audit;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Audit;

/// <summary>The two trail reads: the caller's own and (admin) a user's. Same paging, same answer.</summary>
internal static class AuditPages
{
    public const int DefaultLimit = 50;

    public static async Task<Results<Ok<AuditPageResponse>, ProblemHttpResult>> ReadAsync(
        AuditTrail trail, string userId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > AuditTrail.MaxLimit))
        {
            errors["limit"] = [$"Must be a whole number from 1 to {AuditTrail.MaxLimit}."];
        }

        if (cursor is not null && !AuditTrail.IsValidCursor(cursor))
        {
            errors["cursor"] = ["Is not a cursor this list handed out (nextCursor)."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var page = await trail.ListAsync(userId, size, cursor, cancellationToken);
        return TypedResults.Ok(new AuditPageResponse(page.Events.Select(AuditEventResponse.From).ToArray(), page.NextCursor));
    }
}
