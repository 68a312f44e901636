namespace FuncAuth.Core.Sessions;

/// <summary>
/// What makes a session a registered client's (authorization code): the client, the session id the code was spent for
/// (so a second use of the code finds it), and when the credential of the session the user approved in was proved.
/// </summary>
internal sealed record ClientGrant(string ClientId, string SessionId, DateTimeOffset ProvedAt);
