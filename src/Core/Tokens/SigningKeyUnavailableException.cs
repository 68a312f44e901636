namespace FuncAuth.Core.Tokens;

/// <summary>The signing keys could not be loaded: a dependency failure, answered with 503.</summary>
public sealed class SigningKeyUnavailableException : Exception
{
    public SigningKeyUnavailableException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    public SigningKeyUnavailableException()
    {
    }

    public SigningKeyUnavailableException(string message) : base(message)
    {
    }
}
