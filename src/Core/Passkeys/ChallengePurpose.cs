namespace FuncAuth.Core.Passkeys;

/// <summary>What a challenge is for; part of its MAC, so one kind can never pass as another.</summary>
internal enum ChallengePurpose : byte
{
    Register = 1,
    SignIn = 2,
    Reauthenticate = 3,
}
