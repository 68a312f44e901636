namespace FuncAuth.Core.Sessions;

/// <summary>What the edge knows about the client of the current request (Core knows nothing of HTTP).</summary>
public interface IClientInfo
{
    string? UserAgent { get; }
}
