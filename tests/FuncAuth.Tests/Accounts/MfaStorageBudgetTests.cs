using System.Net;
using FuncAuth.Tests.Abuse;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Accounts;

/// <summary>
/// The storage calls of the second-factor sign-in and of re-authentication, as listed in docs/api.md ("Second factor:
/// TOTP and recovery codes"), counted at the Table Storage client. Rate limits are off here (their counters come on top).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MfaStorageBudgetTests(AzuriteFixture azurite) : ClockedAppTests(azurite)
{

    [Fact]
    public async Task LoginWithASecondFactorMakesThreeCallsAndAWrongPasswordTwoWithOrWithout()
    {
        var (user, _) = await EnrolledAsync();
        var plain = await Client.SignupAsync();

        // The account, then the challenge's insert beside the query for a passkey (for mfa_required's methods).
        var right = await CountAsync(() => Client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = Api.Password }), HttpStatusCode.Forbidden);
        Assert.Equal(["GET Users", "GET UserSessions", "POST UserSessions"], right.Take(1).Concat(right.Skip(1).Order(StringComparer.Ordinal)));
        // A wrong password: the account and its login_failed event, alike with and without a second factor.
        Assert.Equal(["GET Users", "POST AuditEvents"], await CountAsync(() => Client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = Attack.WrongPassword }), HttpStatusCode.Unauthorized));
        Assert.Equal(["GET Users", "POST AuditEvents"], await CountAsync(() => Client.PostJsonAsync("/api/auth/login", new { email = plain.Email, password = Attack.WrongPassword }), HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task VerifyMakesTenCallsWithTheRightCodeElevenWithARecoveryCodeAndSixWithAWrongOne()
    {
        var user = await Client.SignupAsync();
        var (secret, recoveryCodes) = await Client.EnrolTotpAsync(user, Time);
        Time.Advance(TimeSpan.FromSeconds(30));
        var mfaToken = await MfaTokenAsync(user);

        var wrong = await CountAsync(() => Client.PostJsonAsync("/api/auth/mfa/verify", new { mfaToken, code = "000000" == Code(secret) ? "000001" : "000000" }), HttpStatusCode.Unauthorized);
        // The challenge, the user's row, the account; the second-factor row; the mfa_failed event, then the challenge's
        // count of wrong codes. (The user's retention-index entry of the day was written at sign-up, on this instance.)
        Assert.Equal(["GET UserSessions", "GET UserSessions", "GET Users", "GET UserSessions", "POST AuditEvents", "PUT UserSessions"], wrong);

        var right = await CountAsync(() => Client.PostJsonAsync("/api/auth/mfa/verify", new { mfaToken, code = Code(secret) }), HttpStatusCode.OK);
        // The same three reads and the second-factor row, its replace (the time step spent), the challenge's delete, then
        // the session as at login: the cleanup index, the live-sessions query and the mfa_succeeded event side by side,
        // and the insert.
        Assert.Equal(["GET UserSessions", "GET UserSessions", "GET Users", "GET UserSessions", "PUT UserSessions", "DELETE UserSessions"], right.Take(6));
        Assert.Equal(["GET UserSessions", "POST AuditEvents", "PUT SessionExpiry"], right.Skip(6).Take(3).Order(StringComparer.Ordinal));
        Assert.Equal(["POST UserSessions"], right.Skip(9));

        var another = await MfaTokenAsync(user);
        var recovery = await CountAsync(() => Client.PostJsonAsync("/api/auth/mfa/verify", new { mfaToken = another, recoveryCode = recoveryCodes[0] }), HttpStatusCode.OK);
        // As with a code, and the recovery_code_used event before the second-factor row's replace (the code spent).
        Assert.Equal(["GET UserSessions", "GET UserSessions", "GET Users", "GET UserSessions", "POST AuditEvents", "PUT UserSessions", "DELETE UserSessions"], recovery.Take(7));
        Assert.Equal(["GET UserSessions", "POST AuditEvents", "PUT SessionExpiry"], recovery.Skip(7).Take(3).Order(StringComparer.Ordinal));
        Assert.Equal(["POST UserSessions"], recovery.Skip(10));
    }

    [Fact]
    public async Task ReauthenticationMakesFourCallsWithAPasswordSixWithACodeAndSevenWithARecoveryCode()
    {
        var user = await Client.SignupAsync();
        var (secret, recoveryCodes) = await Client.EnrolTotpAsync(user, Time);

        // Each after authentication's one query of the session and the user's row.
        App.StorageRequests.Reset();
        using var withPassword = await Client.PostJsonAsync("/api/auth/reauthenticate", new { password = Api.Password }, user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, withPassword.StatusCode);
        // The account, the session read, the reauthenticated event, the session's replace.
        Assert.Equal(["GET UserSessions", "GET Users", "GET UserSessions", "POST AuditEvents", "PUT UserSessions"], App.StorageRequests.Requests.Select(StorageRequestCounter.Shape));
        var renewed = await Tokens.ReadAsync(withPassword);

        Time.Advance(TimeSpan.FromSeconds(30));
        App.StorageRequests.Reset();
        using var codeResponse = await Client.PostJsonAsync("/api/auth/reauthenticate", new { code = Code(secret) }, renewed.AccessToken);
        Assert.Equal(HttpStatusCode.OK, codeResponse.StatusCode);
        var withCode = App.StorageRequests.Requests.Select(StorageRequestCounter.Shape).ToList();
        var again = await Tokens.ReadAsync(codeResponse);
        // The account, the second-factor row read and replaced (the time step spent), the session read, the event, the
        // session replaced.
        Assert.Equal(["GET UserSessions", "GET Users", "GET UserSessions", "PUT UserSessions", "GET UserSessions", "POST AuditEvents", "PUT UserSessions"], withCode);

        // A recovery code: its recovery_code_used event before the second-factor row's replace (the code spent).
        var withRecoveryCode = await CountAsync(() => Client.PostJsonAsync("/api/auth/reauthenticate", new { recoveryCode = recoveryCodes[0] }, again.AccessToken), HttpStatusCode.OK);
        Assert.Equal(
            ["GET UserSessions", "GET Users", "GET UserSessions", "POST AuditEvents", "PUT UserSessions", "GET UserSessions", "POST AuditEvents", "PUT UserSessions"],
            withRecoveryCode);
    }

    private async Task<(Tokens User, byte[] Secret)> EnrolledAsync()
    {
        var user = await Client.SignupAsync();
        return (user, (await Client.EnrolTotpAsync(user, Time)).Secret);
    }

    private Task<string> MfaTokenAsync(Tokens user) => Client.MfaTokenAsync(user.Email);

    private string Code(byte[] secret) => MfaApi.Code(secret, Time);

    private async Task<IReadOnlyList<string>> CountAsync(Func<Task<HttpResponseMessage>> request, HttpStatusCode expected)
    {
        App.StorageRequests.Reset();
        using var response = await request();
        Assert.Equal(expected, response.StatusCode);
        return [.. App.StorageRequests.Requests.Select(StorageRequestCounter.Shape)];
    }
}
