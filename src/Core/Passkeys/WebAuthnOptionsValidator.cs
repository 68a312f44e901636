using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Passkeys;

[OptionsValidator]
internal sealed partial class WebAuthnOptionsValidator : IValidateOptions<WebAuthnOptions>;
