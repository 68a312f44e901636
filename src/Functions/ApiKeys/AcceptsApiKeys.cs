namespace FuncAuth.Functions.ApiKeys;

/// <summary>Endpoint metadata: which API-key credentials an endpoint takes besides a session's access token.</summary>
public sealed record AcceptsApiKeys(bool Header, bool Tokens);
