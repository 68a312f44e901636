namespace FuncAuth.Functions.Http;

/// <summary>One entry of the error registry: a stable <c>code</c> and the status that always goes with it.</summary>
public sealed record ApiError(string Code, int Status);
