using FuncAuth.Core.Storage;

namespace FuncAuth.Core.OAuth;

/// <summary>The <c>AuthorizationRequests</c> table (one row per authorization request, its code and its stage): the only writer.</summary>
public sealed class AuthorizationRequestStore(AuthTables tables)
{
    internal Task InsertAsync(AuthorizationRequestEntity request, CancellationToken cancellationToken) =>
        tables.AuthorizationRequests.AddRowAsync(request, cancellationToken);

    internal Task<AuthorizationRequestEntity?> FindAsync(string requestId, CancellationToken cancellationToken) =>
        tables.AuthorizationRequests.GetRowAsync<AuthorizationRequestEntity>(requestId, "", cancellationToken);

    /// <summary>
    /// Moves the request to its next stage if unchanged since read; false when another request moved it first (one
    /// request gives at most one code, and a code is spent once).
    /// </summary>
    internal Task<bool> TryAdvanceAsync(AuthorizationRequestEntity request, CancellationToken cancellationToken) =>
        tables.AuthorizationRequests.TryReplaceAsync(request, cancellationToken);
}
