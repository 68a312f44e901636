using FuncAuth.Functions;
using FuncAuth.Functions.Http;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
// Development checks that every service can be built (and that scoped ones never leak into singletons). Every JIT run
// makes them (the test suite, `dotnet run`); the Native AOT executable skips them: there they make the runtime build the
// generic types of every service before the first request, about a fifth of the CPU of a local start (perf), and
// production never runs them anyway.
builder.Host.UseDefaultServiceProvider((context, options) =>
{
    var check = context.HostingEnvironment.IsDevelopment() && System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported;
    options.ValidateOnBuild = check;
    options.ValidateScopes = check;
});
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls(ServiceSetup.ListenUrl(builder.Configuration));
}

builder.AddFuncAuth();
builder.Services.AddFuncAuthOpenApi();
var app = builder.Build();
app.UseFuncAuth();

app.MapSignup()
    .MapLogin()
    .MapRefresh()
    .MapLogout()
    .MapMe()
    .MapGetUser()
    .MapForceLogout()
    .MapSetRoles()
    .MapHealth()
    .MapCleanupExpiredTokens()
    .MapJwks()
    .MapOpenIdConfiguration()
    .MapAuthorizationServerMetadata()
    .MapOAuthToken()
    .MapOAuthRevoke()
    .MapOAuthAuthorize()
    .MapGetAuthorizationRequest()
    .MapCompleteAuthorization()
    .MapOAuthUserInfo()
    .MapCreateApiKey()
    .MapListApiKeys()
    .MapRevokeApiKey()
    .MapListUserApiKeys()
    .MapRevokeUserApiKey()
    .MapVerifyEmail()
    .MapResendVerification()
    .MapForgotPassword()
    .MapResetPassword()
    .MapChangePassword()
    .MapUpdateMe()
    .MapListSessions()
    .MapDeleteSession()
    .MapDeleteAccount()
    .MapFindUsers()
    .MapDisableUser()
    .MapEnableUser()
    .MapReauthenticate()
    .MapGetMfa()
    .MapEnrollTotp()
    .MapConfirmTotp()
    .MapDisableTotp()
    .MapRegenerateRecoveryCodes()
    .MapVerifyMfa()
    .MapResetUserMfa()
    .MapSendEmail()
    .MapPasskeys()
    .MapPasskeyLogin()
    .MapListAuditEvents()
    .MapListUserAuditEvents();
app.MapOpenApiDocument();

try
{
    // Validate settings before the host starts, so a mistake is one line and not a hosting failure with a stack trace.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    if (string.IsNullOrEmpty(app.Configuration["KeyVault:Uri"]))
    {
        Program.LogDevelopmentKey(app.Logger);
    }

    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is OptionsValidationException || e is AggregateException { InnerExceptions: var inner } && inner.All(i => i is OptionsValidationException))
{
    // One clear line instead of a stack trace: this is a configuration mistake, not a crash.
    var failures = (e as AggregateException)?.InnerExceptions.Cast<OptionsValidationException>() ?? [(OptionsValidationException)e];
    await Console.Error.WriteLineAsync("FuncAuth cannot start: " + string.Join(" ", failures.SelectMany(f => f.Failures)));
    return 1;
}

public partial class Program
{
    [LoggerMessage(2100, LogLevel.Warning, "No KeyVault__Uri: signing with a development key. Never run like this in production.")]
    private static partial void LogDevelopmentKey(ILogger logger);
}
