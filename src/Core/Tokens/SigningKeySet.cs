namespace FuncAuth.Core.Tokens;

/// <summary>
/// The enabled keys. Every one of them verifies and is published; the newest one that is older than the activation delay
/// signs (or, while none is, the oldest), so a relying party that caches the published keys meets a new version
/// before any token it signed.
/// </summary>
public sealed class SigningKeySet
{
    private readonly Dictionary<string, SigningKey> _byId;
    private readonly SigningKey[] _newestFirst;
    private readonly TimeSpan _activationDelay;
    private readonly TimeProvider _time;

    public SigningKeySet(IEnumerable<SigningKey> keys, TimeSpan activationDelay = default, TimeProvider? time = null)
    {
        _byId = keys.ToDictionary(k => k.Id, StringComparer.Ordinal);
        if (_byId.Count == 0)
        {
            throw new SigningKeyUnavailableException("No enabled signing key version was found.");
        }

        _newestFirst = [.. _byId.Values.OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id, StringComparer.Ordinal)];
        _activationDelay = activationDelay;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The key that signs now. Worked out on each call, so a version activates on time, not at the next reload.</summary>
    public SigningKey Current
    {
        get
        {
            var now = _time.GetUtcNow();
            foreach (var key in _newestFirst)
            {
                if (key.CreatedAt == DateTimeOffset.MinValue || key.CreatedAt + _activationDelay <= now)
                {
                    return key;
                }
            }

            // Nothing has waited out the delay yet (a new deployment, or the only version there is): the oldest signs.
            return _newestFirst[^1];
        }
    }

    public IReadOnlyCollection<SigningKey> All => _byId.Values;

    public SigningKey? Find(string? id) => id is not null && _byId.TryGetValue(id, out var key) ? key : null;
}
