using System.Text.Json.Serialization;
using Fido2NetLib;
using Fido2NetLib.Objects;

namespace FuncAuth.Core.Passkeys;

[JsonSerializable(typeof(AuthenticatorAttestationRawResponse))]
[JsonSerializable(typeof(AuthenticatorTransport[]))]
internal sealed partial class PasskeyJsonContext : JsonSerializerContext;
