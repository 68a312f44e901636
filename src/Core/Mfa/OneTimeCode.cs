namespace FuncAuth.Core.Mfa;

/// <summary>A one-time proof of the second factor: a TOTP code or a recovery code.</summary>
public abstract record OneTimeCode
{
    private OneTimeCode()
    {
    }

    public sealed record Totp(string Code) : OneTimeCode;

    public sealed record Recovery(string Code) : OneTimeCode;
}
