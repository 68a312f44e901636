namespace FuncAuth.Core.Tokens;

/// <summary>Reads the currently enabled signing-key versions.</summary>
public interface ISigningKeySource
{
    Task<IReadOnlyList<SigningKey>> LoadAsync(CancellationToken cancellationToken);
}
