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

        Assert.Equal("[string(parameters('settings').requireEmailVerification)]", settings["Auth__RequireEmailVerification"]);
        Assert.False(Setting("requireEmailVerification").GetBoolean());
        Assert.Equal("[string(parameters('settings').smtpPort)]", settings["Email__SmtpPort"]);
        Assert.Equal(587, Setting("smtpPort").GetInt32());
        Assert.Equal("StartTls", Setting("smtpSecurity").GetString());
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

        Assert.Equal("", functionApp.ResolveParameter("settings").GetProperty("issuer").GetString());
        var issuer = settings["Auth__Issuer"];
        Assert.StartsWith("[if(empty(parameters('settings').issuer), format('https://{0}', ", issuer, StringComparison.Ordinal);
        Assert.Contains(".defaultHostName), parameters('settings').issuer)]", issuer, StringComparison.Ordinal);
    }

    [Fact]
    public void TheServiceSettingsArriveAsOneTypedObjectWhoseEveryFieldIsOptional()
    {
        var parameter = template.Main.Template.GetProperty("parameters").GetProperty("appSettings");
        var type = Definition(parameter);

        Assert.Equal("{}", parameter.GetProperty("defaultValue").GetRawText());
        Assert.All(type.GetProperty("properties").EnumerateObject(), field =>
            Assert.True(field.Value.TryGetProperty("nullable", out var nullable) && nullable.GetBoolean(), $"{field.Name} is required"));
        // Only the settings of the platform (region, scale, CORS, who may manage the vault, networking) stay parameters of their own.
        Assert.Equal(
            ["allowedOrigins", "appSettings", "deployerKeyVaultAccess", "environmentName", "httpPerInstanceConcurrency", "location", "maximumInstanceCount", "principalId", "privateNetworking"],
            template.Main.Template.GetProperty("parameters").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["SslOnConnect", "StartTls"], type.GetProperty("properties").GetProperty("smtpSecurity").GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void EveryFieldHasItsDefaultInOnePlaceAndTheDeploymentsChoiceWins()
    {
        var fields = Definition(template.Main.Template.GetProperty("parameters").GetProperty("appSettings")).GetProperty("properties").EnumerateObject().Select(p => p.Name);
        var defaults = template.Main.Template.GetProperty("variables").GetProperty("appSettingDefaults");

        Assert.Equal(fields.Order(StringComparer.Ordinal), defaults.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        // The defaults first, so a field the deployment sets replaces the default; the module gets the merged object.
        Assert.Equal("[union(variables('appSettingDefaults'), parameters('appSettings'))]", template.Main.Template.GetProperty("variables").GetProperty("settings").GetString());
        Assert.Equal("[variables('settings')]", template.Main.Module("functionApp").Argument("settings").GetString());
        // No default is declared anywhere else: the module's parameter has none.
        Assert.False(template.Main.Module("functionApp").Template.GetProperty("parameters").GetProperty("settings").TryGetProperty("defaultValue", out _));
    }

    [Fact]
    public void NoSecretIsASettingOfTheObject()
    {
        var fields = Definition(template.Main.Template.GetProperty("parameters").GetProperty("appSettings")).GetProperty("properties").EnumerateObject().Select(p => p.Name);

        Assert.DoesNotContain(fields, name => name.Contains("password", StringComparison.OrdinalIgnoreCase)
            || name.Contains("secret", StringComparison.OrdinalIgnoreCase) || name.Contains("connectionString", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A default of the object, as the function app's settings receive it.</summary>
    private JsonElement Setting(string field) => template.Main.Module("functionApp").ResolveParameter("settings").GetProperty(field);

    private JsonElement Definition(JsonElement parameter) =>
        template.Main.Template.GetProperty("definitions").GetProperty(parameter.GetProperty("$ref").GetString()!["#/definitions/".Length..]);
}
