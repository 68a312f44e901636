namespace FuncAuth.Core.Mfa;

/// <summary>A TOTP secret handed out for enrolment: base32 for typing, and the otpauth URI for a QR code.</summary>
public sealed record TotpEnrolment(string Secret, string OtpauthUri);
