using System.Text.Json;

namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed class AppSettingsTests(CompiledTemplate template)
{
    // Settings that only make sense on a developer's machine; Azure uses the identity-based ones instead.
    private static readonly string[] DevelopmentOnly =
        ["Storage__ConnectionString", "Auth__SigningKey", "AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "ASPNETCORE_ENVIRONMENT", "EmailQueue"];

    public static TheoryData<string> SettingsTheServiceReadsInAzure()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(RepoRoot.File("local.settings.sample.json")));
        var names = sample.RootElement.GetProperty("Values").EnumerateObject()
            .Select(p => p.Name)
            .Except(DevelopmentOnly)
            .Append("Storage__TableServiceUri")
            .Append("Storage__QueueServiceUri");
        return new TheoryData<string>(names.Distinct());
    }

    [Theory]
    [MemberData(nameof(SettingsTheServiceReadsInAzure))]
    public void FunctionAppSetsEverySettingTheServiceReadsInAzure(string name) =>
        Assert.Contains(name, AppSettings.Of(template).Keys);

    [Theory]
    [InlineData("Storage__ConnectionString")]
    [InlineData("Auth__SigningKey")]
    [InlineData("AzureWebJobsStorage")]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    public void FunctionAppSetsNoDevelopmentOnlyOrFlexIncompatibleSetting(string name) =>
        Assert.DoesNotContain(name, AppSettings.Of(template).Keys);

    [Fact]
    public void TablesAreReachedThroughTheAccountsTableEndpoint() =>
        Assert.Equal("[reference('storage').primaryEndpoints.table]", AppSettings.Of(template)["Storage__TableServiceUri"]);

    [Fact]
    public void SigningKeyIsTheJwtSigningKeySecretOfTheVault()
    {
        var settings = AppSettings.Of(template);
        var functionApp = template.Main.Module("functionApp");

        Assert.Equal("[parameters('keyVaultUri')]", settings["KeyVault__Uri"]);
        Assert.Equal("jwt-signing-key", functionApp.ResolveParameter("signingKeySecretName").GetString());
    }

    [Fact]
    public void HostStorageAndTheAppAuthenticateWithTheUserAssignedIdentity()
    {
        var settings = AppSettings.Of(template);

        Assert.Equal("[parameters('storageAccountName')]", settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("[parameters('identityClientId')]", settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal("[parameters('identityClientId')]", settings["AZURE_CLIENT_ID"]);
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public void TheSmtpPasswordIsAKeyVaultReferenceResolvedWithTheAppsIdentity()
    {
        var settings = AppSettings.Of(template);
        var site = template.Main.Single("Microsoft.Web/sites");

        Assert.Equal("[format('@Microsoft.KeyVault(SecretUri={0}secrets/{1}/)', parameters('keyVaultUri'), parameters('smtpPasswordSecretName'))]", settings["Email__SmtpPassword"]);
        Assert.Equal("smtp-password", template.Main.Module("functionApp").ResolveParameter("smtpPasswordSecretName").GetString());
        Assert.Equal("[parameters('identityId')]", site.Get("properties.keyVaultReferenceIdentity").GetString());
    }

    [Fact]
    public void TheOutboxQueueIsReachedThroughTheIdentityByTheAppAndTheQueueTrigger()
    {
        var settings = AppSettings.Of(template);

        Assert.Equal("[parameters('queueServiceUri')]", settings["Storage__QueueServiceUri"]);
        Assert.Equal("[parameters('queueServiceUri')]", settings["EmailQueue__queueServiceUri"]);
        Assert.Equal("managedidentity", settings["EmailQueue__credential"]);
        Assert.Equal("[parameters('identityClientId')]", settings["EmailQueue__clientId"]);
        Assert.Equal("[reference('storage').outputs.queueEndpoint.value]", template.Main.Module("functionApp").Argument("queueServiceUri").GetString());
        Assert.Equal("email-outbox", template.Main.Module("functionApp").ResolveParameter("emailQueueName").GetString());
    }

    [Fact]
    public void EmailVerificationIsOffAndSmtpUsesStartTlsOnPort587ByDefault()
    {
        var settings = AppSettings.Of(template);

        Assert.Equal("[string(parameters('requireEmailVerification'))]", settings["Auth__RequireEmailVerification"]);
        Assert.False(template.Main.ResolveParameter("requireEmailVerification").GetBoolean());
        Assert.Equal("[string(parameters('smtpPort'))]", settings["Email__SmtpPort"]);
        Assert.Equal(587, template.Main.ResolveParameter("smtpPort").GetInt32());
        Assert.Equal("StartTls", template.Main.ResolveParameter("smtpSecurity").GetString());
    }

    [Theory]
    [InlineData("Auth__Audience", "funcauth-api")]
    [InlineData("Auth__ClientId", "funcauth")]
    [InlineData("Auth__AccessTokenLifetime", "00:15:00")]
    [InlineData("Auth__RefreshTokenLifetime", "30.00:00:00")]
    [InlineData("Auth__RefreshReuseInterval", "00:00:10")]
    [InlineData("Auth__KeyActivationDelay", "00:10:00")]
    [InlineData("Auth__AdminEmails", "")]
    [InlineData("CleanupSchedule", "0 0 * * * *")]
    [InlineData("Auth__SessionMaxLifetime", "90.00:00:00")]
    [InlineData("Email__SmtpSecurity", "StartTls")]
    [InlineData("Email__QueueName", "email-outbox")]
    public void SettingDefaultsMatchTheContract(string name, string expected)
    {
        var config = template.Main.Single("Microsoft.Web/sites/config");

        Assert.Equal(expected, config.Module.Resolve(config.Properties.GetProperty(name)).GetString());
    }

    [Fact]
    public void TheIssuerIsTheAppsHttpsHostNameUnlessACustomDomainIsGiven()
    {
        var settings = AppSettings.Of(template);
        var functionApp = template.Main.Module("functionApp");

        Assert.Equal("", functionApp.ResolveParameter("issuer").GetString());
        var issuer = settings["Auth__Issuer"];
        Assert.StartsWith("[if(empty(parameters('issuer')), format('https://{0}', ", issuer, StringComparison.Ordinal);
        Assert.Contains(".defaultHostName), parameters('issuer'))]", issuer, StringComparison.Ordinal);
    }
}
