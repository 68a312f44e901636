using System.Text.Json.Serialization;
using FuncAuth.Core.Mfa;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

public sealed record CodeRequest(string? Code);

/// <summary>The second step of a sign-in: the <c>mfaToken</c> and one of <c>code</c> (TOTP) or <c>recoveryCode</c>.</summary>
public sealed record MfaVerifyRequest(string? MfaToken, string? Code, string? RecoveryCode);

public sealed record TotpStatusResponse(bool Enabled, DateTimeOffset? CreatedAt);

public sealed record MfaStatusResponse(TotpStatusResponse Totp, int RecoveryCodesLeft, int Passkeys)
{
    public static MfaStatusResponse From(MfaStatus status) =>
        new(new TotpStatusResponse(status.TotpEnabled, status.TotpCreatedAt), status.RecoveryCodesLeft, status.Passkeys);
}

public sealed record TotpEnrolmentResponse(string Secret, string OtpauthUri);

public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CodeRequest))]
[JsonSerializable(typeof(MfaVerifyRequest))]
[JsonSerializable(typeof(MfaStatusResponse))]
[JsonSerializable(typeof(TotpEnrolmentResponse))]
[JsonSerializable(typeof(RecoveryCodesResponse))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int))]
internal sealed partial class MfaJsonContext : JsonSerializerContext;
