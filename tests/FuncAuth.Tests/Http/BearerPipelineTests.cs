using System.Diagnostics.Metrics;
using System.Net;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Tests.ApiKeys;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace FuncAuth.Tests.Http;

/// <summary>One bearer pipeline: whichever credential a request carries, its access token is validated once.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BearerPipelineTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task EachKindOfCredentialIsValidatedAtMostOncePerRequest()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var client = app.CreateClient();
        var admin = await client.SignupAsync(FuncAuthApp.AdminEmail);
        var key = await client.CreateKeyAsync(admin.AccessToken, scope: "user admin");
        var (status, _, body) = await ApiKeyApi.ClientCredentialsAsync(app, ApiKeyApi.Fields(("client_id", key.Id), ("client_secret", key.Key)));
        Assert.Equal(200, status);
        var keyToken = body.GetProperty("access_token").GetString()!;
        using var validations = new MetricCollector<long>(app.Services.GetRequiredService<IMeterFactory>(), AuthMetrics.MeterName, "funcauth.access_token.validations");

        // A session's token, on a route for any caller and on an admin route.
        await AssertValidationsAsync(validations, 1, HttpStatusCode.OK, () => client.GetAsync("/api/auth/me", admin.AccessToken));
        await AssertValidationsAsync(validations, 1, HttpStatusCode.OK, () => client.GetAsync($"/api/users/{admin.UserId}", admin.AccessToken));

        // A key's token, where key tokens are taken and where they are refused (403, a session-only route).
        await AssertValidationsAsync(validations, 1, HttpStatusCode.OK, () => client.GetAsync("/api/auth/me", keyToken));
        await AssertValidationsAsync(validations, 1, HttpStatusCode.Forbidden, () => client.GetAsync("/api/auth/sessions", keyToken));

        // X-API-Key carries no token: nothing to validate.
        await AssertValidationsAsync(validations, 0, HttpStatusCode.OK, () => client.MeWithKeyAsync(key.Key));

        // No credential at all: nothing to validate either.
        await AssertValidationsAsync(validations, 0, HttpStatusCode.Unauthorized, () => client.GetAsync("/api/auth/me", null));
    }

    private static async Task AssertValidationsAsync(MetricCollector<long> validations, int expected, HttpStatusCode status, Func<Task<HttpResponseMessage>> send)
    {
        validations.Clear();
        using var response = await send();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(expected, validations.GetMeasurementSnapshot().Sum(m => m.Value));
    }
}
