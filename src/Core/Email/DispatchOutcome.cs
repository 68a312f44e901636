namespace FuncAuth.Core.Email;

public enum DispatchOutcome
{
    Sent,
    /// <summary>Nothing to send (unknown or already verified address, over the recipient limit, malformed message).</summary>
    Dropped,
}
