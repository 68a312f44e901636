using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Cleanup;
using FuncAuth.Core.Email;
using FuncAuth.Core.Options;
using FuncAuth.Core.Passkeys;
using FuncAuth.Core.Passwords;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core;

/// <summary>Registers FuncAuth's domain services, stores and key handling.</summary>
public static class DependencyInjection
{
    /// <summary>
    /// One registration serves both modes: a connection string where one is set (Azurite), otherwise the endpoint
    /// plus a <see cref="TokenCredential"/> (managed identity). Tests replace <see cref="TableClientOptions"/>,
    /// <see cref="SecretClientOptions"/> or <see cref="TokenCredential"/> to observe or redirect the clients.
    /// </summary>
    public static IServiceCollection AddFuncAuthCore(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateWith(new AuthOptionsValidator());
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateWith(new StorageOptionsValidator());
        services.AddOptions<KeyVaultOptions>().Bind(configuration.GetSection(KeyVaultOptions.Section)).ValidateWith(new KeyVaultOptionsValidator())
            .Validate(
                o => o.Uri is not null || isDevelopment,
                "KeyVault__Uri is required outside the Development environment: the development signing key is not for production")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        // The meter factory is the host's where there is one (AddMetrics adds nothing then), so its listeners see FuncAuth's meter.
        services.AddMetrics();
        services.TryAddSingleton<Diagnostics.AuthMetrics>();
        services.TryAddSingleton<Diagnostics.DependencyHealth>();
        // Per-try timeout and retries that fit inside the request deadline (DependencyBudget says which and why).
        services.TryAddSingleton(sp => DependencyBudget.Apply(new TableClientOptions(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.RequestDeadline));
        services.TryAddSingleton(sp => DependencyBudget.Apply(new SecretClientOptions(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.RequestDeadline));
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());

        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            // Marks each failure as the tables' and sees them answer again (DependencyHealth logs and counts the outages).
            var clientOptions = Diagnostics.DependencyCallPolicy.AddTo(sp.GetRequiredService<TableClientOptions>(), Diagnostics.Dependency.Tables, sp.GetRequiredService<Diagnostics.DependencyHealth>());
            return string.IsNullOrWhiteSpace(storage.ConnectionString)
                ? new TableServiceClient(storage.TableServiceUri, sp.GetRequiredService<TokenCredential>(), clientOptions)
                : new TableServiceClient(storage.ConnectionString, clientOptions);
        });
        services.AddSingleton<ISigningKeySource>(sp =>
        {
            var keyVault = sp.GetRequiredService<IOptions<KeyVaultOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            if (keyVault.Uri is null)
            {
                return new DevelopmentSigningKey(sp.GetRequiredService<IOptions<AuthOptions>>().Value.SigningKey, time);
            }

            var clientOptions = Diagnostics.DependencyCallPolicy.AddTo(sp.GetRequiredService<SecretClientOptions>(), Diagnostics.Dependency.KeyVault, sp.GetRequiredService<Diagnostics.DependencyHealth>());
            var client = new SecretClient(keyVault.Uri, sp.GetRequiredService<TokenCredential>(), clientOptions);
            return new KeyVaultSigningKeySource(client, sp.GetRequiredService<IOptions<KeyVaultOptions>>(), time, sp.GetRequiredService<ILogger<KeyVaultSigningKeySource>>());
        });

        services.AddSingleton<AuthTables>();
        services.AddOptions<Audit.AuditOptions>().Bind(configuration.GetSection(Audit.AuditOptions.Section)).ValidateWith(new AuditOptionsValidator());
        services.AddSingleton<Audit.AuditTrail>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<PasswordHashing>();
        services.AddOptions<PasswordOptions>().Bind(configuration.GetSection(PasswordOptions.Section)).ValidateWith(new PasswordOptionsValidator());
        // A named client, not a typed one: typed clients are transient, and the services that check passwords are
        // singletons, which would keep one client's handler forever. No retry handler: none fits in the budget.
        services.AddHttpClient(BreachedPasswords.ClientName, client => client.Timeout = BreachedPasswords.Budget);
        services.AddSingleton<BreachedPasswords>();
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<SessionIssuer>();
        services.AddSingleton<Accounts.Admin.AdminIndex>();
        services.AddSingleton<SignInSessions>();
        services.AddSingleton<AccountService>();
        // A factory: the value comes from the environment and the email settings together.
        services.AddSingleton(sp => new Accounts.AdminEmailGrant(AtSignup: isDevelopment && !sp.GetRequiredService<IOptions<Options.EmailOptions>>().Value.IsEnabled));
        services.AddSingleton<SessionService>();
        services.AddSingleton<StepUp>();
        services.AddSingleton<Reauthentication>();
        // A factory: KeyVault__Uri decides where the TOTP key comes from (Key Vault, or the development key).
        services.AddSingleton(sp =>
        {
            var keyVault = sp.GetRequiredService<IOptions<KeyVaultOptions>>().Value;
            if (keyVault.Uri is null)
            {
                var auth = sp.GetRequiredService<IOptions<AuthOptions>>().Value;
                return new Mfa.TotpSecretProtector(new Mfa.DevelopmentMfaKeySource(auth.MfaKey, auth.SigningKey));
            }

            // The signing-key source adds the dependency policies to the shared client options (once): build it first.
            _ = sp.GetRequiredService<ISigningKeySource>();
            var client = new SecretClient(keyVault.Uri, sp.GetRequiredService<TokenCredential>(), sp.GetRequiredService<SecretClientOptions>());
            return new Mfa.TotpSecretProtector(new Mfa.KeyVaultMfaKeySource(client, keyVault.MfaKeySecretName, sp.GetRequiredService<TimeProvider>()));
        });
        services.AddSingleton<Mfa.MfaStore>();
        services.AddSingleton<Mfa.MfaService>();
        services.AddSingleton<SessionCleanup>();
        services.AddSingleton<TokenRevocation>();
        services.AddSingleton<SignupRecovery>();
        services.AddHostedService(sp => sp.GetRequiredService<SignupRecovery>());
        services.AddSingleton<StorageWarmup>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageWarmup>());
        services.AddHostedService<SigningKeyRefresher>();
        services.AddOptions<OAuth.OAuthOptions>().Bind(configuration.GetSection(OAuth.OAuthOptions.Section)).ValidateWith(new OAuthOptionsValidator());
        services.AddSingleton<OAuth.IdTokens>();
        services.AddSingleton<OAuth.AuthorizationRequestStore>();
        services.AddSingleton<OAuth.AuthorizationService>();
        services.AddFuncAuthAbuseResistance(configuration);
        services.AddFuncAuthApiKeys(configuration);
        services.AddFuncAuthPasskeys(configuration);
        services.AddFuncAuthEmail(configuration, isDevelopment);
        services.AddFuncAuthAccountLifecycle();
        return services;
    }
}
