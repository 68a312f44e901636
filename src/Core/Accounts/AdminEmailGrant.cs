namespace FuncAuth.Core.Accounts;

/// <summary>
/// Whether <c>Auth__AdminEmails</c> grants admin at sign-up: only in Development without email delivery. Elsewhere it
/// grants admin at a completed password reset, because whoever signs up first with an address chose its password
/// (account pre-hijacking).
/// </summary>
public sealed record AdminEmailGrant(bool AtSignup);
