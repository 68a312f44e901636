namespace FuncAuth.Functions.OAuth;

/// <summary>Client credentials as presented, and how (HTTP Basic or body fields).</summary>
public sealed record ClientCredentials(string? ClientId, string? ClientSecret, bool UsedBasic);
