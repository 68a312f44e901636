using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.Sessions;

/// <summary>What signup, login and refresh hand to a client.</summary>
public sealed record IssuedTokens(string AccessToken, int ExpiresIn, string RefreshToken, UserAccount User);
