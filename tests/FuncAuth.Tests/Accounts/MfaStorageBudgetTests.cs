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
    public async Task LoginWithASecondFactorMakesTwoCallsAndAWrongPasswordOneWithOrWithout()
    {
        var (user, _) = await EnrolledAsync();
        var plain = await Client.SignupAsync();

        Assert.Equal(["GET Users", "POST UserSessions"], await CountAsync(() => Client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = Api.Password }), HttpStatusCode.Forbidden));
        Assert.Equal(["GET Users"], await CountAsync(() => Client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = Attack.WrongPassword }), HttpStatusCode.Unauthorized));
        Assert.Equal(["GET Users"], await CountAsync(() => Client.PostJsonAsync("/api/auth/login", new { email = plain.Email, password = Attack.WrongPassword }), HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task VerifyMakesNineCallsWithTheRightCodeAndFiveWithAWrongOne()
    {
        var (user, secret) = await EnrolledAsync();
        Time.Advance(TimeSpan.FromSeconds(30));
        var mfaToken = await MfaTokenAsync(user);

        var wrong = await CountAsync(() => Client.PostJsonAsync("/api/auth/mfa/verify", new { mfaToken, code = "000000" == Code(secret) ? "000001" : "000000" }), HttpStatusCode.Unauthorized);
        // The challenge, the user's row, the account; the second-factor row; the challenge's count of wrong codes.
        Assert.Equal(["GET UserSessions", "GET UserSessions", "GET Users", "GET UserSessions", "PUT UserSessions"], wrong);

        var right = await CountAsync(() => Client.PostJsonAsync("/api/auth/mfa/verify", new { mfaToken, code = Code(secret) }), HttpStatusCode.OK);
        // The same three reads and the second-factor row, its replace (the time step spent), the challenge's delete, then
        // the session as at login: the cleanup index beside the live-sessions query, and the insert.
        Assert.Equal(["GET UserSessions", "GET UserSessions", "GET Users", "GET UserSessions", "PUT UserSessions", "DELETE UserSessions"], right.Take(6));
        Assert.Equal(["GET UserSessions", "PUT SessionExpiry"], right.Skip(6).Take(2).Order(StringComparer.Ordinal));
        Assert.Equal(["POST UserSessions"], right.Skip(8));
    }

    [Fact]
    public async Task ReauthenticationMakesThreeCallsWithAPasswordAndFiveWithACode()
    {
        var (user, secret) = await EnrolledAsync();

        // Each after authentication's one query of the session and the user's row.
        App.StorageRequests.Reset();
        using var withPassword = await Client.PostJsonAsync("/api/auth/reauthenticate", new { password = Api.Password }, user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, withPassword.StatusCode);
        Assert.Equal(["GET UserSessions", "GET Users", "GET UserSessions", "PUT UserSessions"], App.StorageRequests.Requests.Select(StorageRequestCounter.Shape));
        var renewed = await Tokens.ReadAsync(withPassword);

        Time.Advance(TimeSpan.FromSeconds(30));
        var withCode = await CountAsync(() => Client.PostJsonAsync("/api/auth/reauthenticate", new { code = Code(secret) }, renewed.AccessToken), HttpStatusCode.OK);
        // The account, the second-factor row read and replaced (the time step spent), the session read and replaced.
        Assert.Equal(["GET UserSessions", "GET Users", "GET UserSessions", "PUT UserSessions", "GET UserSessions", "PUT UserSessions"], withCode);
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
