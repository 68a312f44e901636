using System.Diagnostics.CodeAnalysis;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.ApiKeys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Options;

// Validators written at compile time from the data annotations (and IValidatableObject) of each settings class:
// ValidateDataAnnotations would find them by reflection at run time, which trimming and Native AOT cannot follow.

[OptionsValidator]
internal sealed partial class AuthOptionsValidator : IValidateOptions<AuthOptions>;

[OptionsValidator]
internal sealed partial class PasswordOptionsValidator : IValidateOptions<PasswordOptions>;

[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;

[OptionsValidator]
internal sealed partial class KeyVaultOptionsValidator : IValidateOptions<KeyVaultOptions>;

[OptionsValidator]
internal sealed partial class EmailOptionsValidator : IValidateOptions<EmailOptions>;

[OptionsValidator]
internal sealed partial class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>;

[OptionsValidator]
internal sealed partial class AuditOptionsValidator : IValidateOptions<Audit.AuditOptions>;

[OptionsValidator]
internal sealed partial class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>;

[OptionsValidator]
internal sealed partial class OAuthOptionsValidator : IValidateOptions<OAuth.OAuthOptions>;

internal static class OptionsValidation
{
    /// <summary>Validates the settings at start with their compile-time validator.</summary>
    public static OptionsBuilder<TOptions> ValidateWith<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(this OptionsBuilder<TOptions> options, IValidateOptions<TOptions> validator)
        where TOptions : class
    {
        options.Services.AddSingleton(validator);
        return options.ValidateOnStart();
    }
}
