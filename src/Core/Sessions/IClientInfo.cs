namespace FuncAuth.Core.Sessions;

/// <summary>What the edge knows about the client of the current request (Core knows nothing of HTTP).</summary>
public interface IClientInfo
{
    string? UserAgent { get; }

    /// <summary>
    /// The client address as the edge resolves it (README, "Abuse resistance"): the address the platform's front end saw,
    /// or, when that is not a client's own, what it resolved to (a hop of the platform); null without a peer address.
    /// </summary>
    string? ClientAddress => null;

    /// <summary>
    /// Null when <see cref="ClientAddress"/> is a client's public address; otherwise why it stands for no one client
    /// (<c>loopback</c>, <c>private</c>, <c>link_local</c>, <c>cgnat</c>, <c>trusted_proxy</c>, <c>absent</c>).
    /// </summary>
    string? ClientAddressClass => null;
}
