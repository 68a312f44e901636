namespace FuncAuth.Functions.Http;

/// <summary>Origins allowed to call from a browser (configuration section <c>Cors</c>).</summary>
public sealed class CorsSettings
{
    public string? AllowedOrigins { get; set; }

    public string[] Origins => (AllowedOrigins ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
