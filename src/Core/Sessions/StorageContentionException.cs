namespace FuncAuth.Core.Sessions;

/// <summary>Storage kept changing under a conditional write; answered like any dependency failure (503).</summary>
public sealed class StorageContentionException : Exception
{
    public StorageContentionException() : base("The record kept changing during the update; retry later.")
    {
    }

    public StorageContentionException(string message) : base(message)
    {
    }

    public StorageContentionException(string message, Exception inner) : base(message, inner)
    {
    }
}
