namespace FuncAuth.Functions.ApiKeys;

public static class ApiKeyEndpointExtensions
{
    /// <summary>The endpoint also accepts <c>X-API-Key</c> and access tokens issued to API keys.</summary>
    public static TBuilder AcceptApiKeys<TBuilder>(this TBuilder builder, bool header = true, bool tokens = true)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AcceptsApiKeys(header, tokens));
}
