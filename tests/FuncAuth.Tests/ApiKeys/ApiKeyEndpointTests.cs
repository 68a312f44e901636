using System.Net;
using System.Text;
using Azure.Data.Tables;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace FuncAuth.Tests.ApiKeys;

/// <summary>POST/GET /api/auth/api-keys, DELETE /api/auth/api-keys/{id} and the admin routes under /api/users/{userId}/api-keys.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ApiKeyEndpointTests(AzuriteFixture azurite) : AdminAppTests(azurite)
{
    [Fact]
    public async Task CreatingAKeyAnswersItOnceWithItsDetails()
    {
        var user = await Client.SignupAsync();

        using var response = await Client.PostJsonAsync("/api/auth/api-keys", new { name = "nightly export", expiresInDays = 30 }, user.AccessToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var body = await response.ReadJsonAsync();
        Assert.Equal(["createdAt", "expiresAt", "id", "key", "lastUsedAt", "name", "scope"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var id = body.GetProperty("id").GetString()!;
        var key = body.GetProperty("key").GetString()!;
        Assert.Matches("^[0-9a-f]{48}$", id);
        Assert.StartsWith(user.UserId, id, StringComparison.Ordinal);
        Assert.Matches("^fa_" + id + "_[A-Za-z0-9_-]{43}$", key);
        // 43 base64url characters: 32 bytes, 256 bits.
        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(key.AsSpan(4 + id.Length)).Length);
        Assert.Equal("nightly export", body.GetProperty("name").GetString());
        Assert.Equal("user", body.GetProperty("scope").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("lastUsedAt").ValueKind);
        Assert.Equal(TimeSpan.FromDays(30), body.GetProperty("expiresAt").GetDateTimeOffset() - body.GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task AKeyWithoutExpiresInDaysLastsNinetyDaysAndTwoKeysNeverShareASecret()
    {
        var user = await Client.SignupAsync();

        var first = await Client.CreateKeyAsync(user.AccessToken);
        var second = await Client.CreateKeyAsync(user.AccessToken);

        Assert.Equal(TimeSpan.FromDays(90), first.Body.GetProperty("expiresAt").GetDateTimeOffset() - first.Body.GetProperty("createdAt").GetDateTimeOffset());
        Assert.NotEqual(first.Id, second.Id);
        Assert.NotEqual(first.Secret, second.Secret);
    }

    [Fact]
    public async Task TheKeyIsInTheCreateAnswerOnlyNotInAnyListLogTableRowOrError()
    {
        var user = await Client.SignupAsync();
        var created = await Client.CreateKeyAsync(user.AccessToken, scope: "user");
        var texts = new List<string>();

        using (var me = await Client.MeWithKeyAsync(created.Key))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            texts.Add(await me.Content.ReadAsStringAsync());
        }

        // Error answers that had the key, or a near miss of it, in the request.
        foreach (var near in new[] { created.Key + "x", created.Key[..^1] + (created.Key[^1] == 'A' ? 'B' : 'A'), "fa_" + created.Id + "_" })
        {
            using var refused = await Client.MeWithKeyAsync(near);
            texts.Add(await refused.Content.ReadAsStringAsync());
        }

        using (var bad = await Client.PostJsonAsync("/api/auth/api-keys", new { name = created.Key, scope = created.Key }, user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
            texts.Add(await bad.Content.ReadAsStringAsync());
        }

        using (var list = await Client.GetAsync("/api/auth/api-keys", user.AccessToken))
        {
            texts.Add(await list.Content.ReadAsStringAsync());
        }

        using (var adminList = await Client.GetAsync($"/api/users/{user.UserId}/api-keys", Admin.AccessToken))
        {
            texts.Add(await adminList.Content.ReadAsStringAsync());
        }

        await App.Services.GetRequiredService<FuncAuth.Core.ApiKeys.ApiKeyUsage>().WhenIdleAsync();
        texts.Add(string.Join('\n', App.Logs.GetSnapshot().Select(Render)));
        texts.AddRange(await AllTableValuesAsync());

        Assert.Contains(texts, t => t.Contains(created.Id, StringComparison.Ordinal));
        foreach (var text in texts)
        {
            Assert.DoesNotContain(created.Key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(created.Secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(created.Secret[..20], text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheListShowsTheCallersLiveKeysNewestFirstWithoutTheKey()
    {
        var user = await Client.SignupAsync();
        var other = await Client.SignupAsync();
        var first = await Client.CreateKeyAsync(user.AccessToken, "first");
        var second = await Client.CreateKeyAsync(user.AccessToken, "second");
        await Client.CreateKeyAsync(other.AccessToken, "someone else's");

        using var response = await Client.GetAsync("/api/auth/api-keys", user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var keys = (await response.ReadJsonAsync()).EnumerateArray().ToList();
        Assert.Equal([second.Id, first.Id], keys.Select(k => k.GetProperty("id").GetString()));
        Assert.All(keys, k => Assert.Equal(
            ["createdAt", "expiresAt", "id", "lastUsedAt", "name", "scope"], k.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task RevokingAKeyAnswers204AndTheKeyStopsWorkingAtOnce()
    {
        var user = await Client.SignupAsync();
        var created = await Client.CreateKeyAsync(user.AccessToken);
        using (var before = await Client.MeWithKeyAsync(created.Key))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var revoke = await Client.DeleteAsync("/api/auth/api-keys/" + created.Id, user.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await Client.MeWithKeyAsync(created.Key);
        await Problem.AssertAsync(after, HttpStatusCode.Unauthorized, "invalid_api_key");
        using var list = await Client.GetAsync("/api/auth/api-keys", user.AccessToken);
        Assert.Empty((await list.ReadJsonAsync()).EnumerateArray());
        using var again = await Client.DeleteAsync("/api/auth/api-keys/" + created.Id, user.AccessToken);
        await Problem.AssertAsync(again, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task NobodyRevokesAnotherUsersKeyThroughTheirOwnRoute()
    {
        var owner = await Client.SignupAsync();
        var other = await Client.SignupAsync();
        var created = await Client.CreateKeyAsync(owner.AccessToken);

        foreach (var id in new[] { created.Id, "not-a-key-id", "'or''='" })
        {
            using var response = await Client.DeleteAsync("/api/auth/api-keys/" + Uri.EscapeDataString(id), other.AccessToken);
            await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
        }

        using var me = await Client.MeWithKeyAsync(created.Key);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task AnAdminListsAndRevokesAnyUsersKeys()
    {
        var user = await Client.SignupAsync();
        var created = await Client.CreateKeyAsync(user.AccessToken);

        using var list = await Client.GetAsync($"/api/users/{user.UserId}/api-keys", Admin.AccessToken);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var only = Assert.Single((await list.ReadJsonAsync()).EnumerateArray());
        Assert.Equal(created.Id, only.GetProperty("id").GetString());
        Assert.False(only.TryGetProperty("key", out _));

        using var wrongUser = await Client.DeleteAsync($"/api/users/{Admin.UserId}/api-keys/{created.Id}", Admin.AccessToken);
        await Problem.AssertAsync(wrongUser, HttpStatusCode.NotFound, "not_found");

        using var revoke = await Client.DeleteAsync($"/api/users/{user.UserId}/api-keys/{created.Id}", Admin.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var me = await Client.MeWithKeyAsync(created.Key);
        await Problem.AssertAsync(me, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task TheAdminRoutesAreForAdminsAndKnowOnlyExistingUsers()
    {
        var user = await Client.SignupAsync();
        var created = await Client.CreateKeyAsync(user.AccessToken);

        using var listAsUser = await Client.GetAsync($"/api/users/{user.UserId}/api-keys", user.AccessToken);
        await Problem.AssertAsync(listAsUser, HttpStatusCode.Forbidden, "forbidden");
        using var revokeAsUser = await Client.DeleteAsync($"/api/users/{user.UserId}/api-keys/{created.Id}", user.AccessToken);
        await Problem.AssertAsync(revokeAsUser, HttpStatusCode.Forbidden, "forbidden");
        using var unknown = await Client.GetAsync($"/api/users/{new string('0', 32)}/api-keys", Admin.AccessToken);
        await Problem.AssertAsync(unknown, HttpStatusCode.NotFound, "not_found");
        using var anonymous = await Client.GetAsync("/api/auth/api-keys", accessToken: null);
        await Problem.AssertUnauthorizedAsync(anonymous, "token_missing");
    }

    [Fact]
    public async Task AKeyCannotHoldARoleItsOwnerLacks()
    {
        var user = await Client.SignupAsync();

        using var response = await Client.PostJsonAsync("/api/auth/api-keys", new { name = "escalate", scope = "user admin" }, user.AccessToken);

        var body = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Contains("admin", body.GetProperty("errors").GetProperty("scope")[0].GetString(), StringComparison.Ordinal);
        using var list = await Client.GetAsync("/api/auth/api-keys", user.AccessToken);
        Assert.Empty((await list.ReadJsonAsync()).EnumerateArray());
    }

    [Fact]
    public async Task AnAdminMayCreateAKeyWithAnyOfTheirRolesOrANarrowerOne()
    {
        var admin = await Client.CreateKeyAsync(Admin.AccessToken, scope: "admin user");
        var narrow = await Client.CreateKeyAsync(Admin.AccessToken, scope: "user");

        Assert.Equal("user admin", admin.Body.GetProperty("scope").GetString());
        Assert.Equal("user", narrow.Body.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task EveryBrokenFieldRuleIsReportedAtOnce()
    {
        var user = await Client.SignupAsync();

        using var response = await Client.PostJsonAsync("/api/auth/api-keys", new { name = " ", expiresInDays = 0, scope = "root" }, user.AccessToken);

        var body = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["expiresInDays", "name", "scope"], body.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var days in new[] { -1, 366 })
        {
            using var outOfRange = await Client.PostJsonAsync("/api/auth/api-keys", new { name = "x", expiresInDays = days }, user.AccessToken);
            await Problem.AssertAsync(outOfRange, HttpStatusCode.UnprocessableEntity, "validation_failed");
        }

        using var wrongType = await Client.PostJsonAsync("/api/auth/api-keys", new { name = "x", expiresInDays = "ninety" }, user.AccessToken);
        await Problem.AssertAsync(wrongType, HttpStatusCode.BadRequest, "malformed_json");
    }

    [Fact]
    public async Task TheTwentyFirstLiveKeyIsRefusedUntilOneIsRevoked()
    {
        var user = await Client.SignupAsync();
        var keys = new List<CreatedKey>();
        for (var i = 0; i < 20; i++)
        {
            keys.Add(await Client.CreateKeyAsync(user.AccessToken, "key " + i));
        }

        using var refused = await Client.PostJsonAsync("/api/auth/api-keys", new { name = "one too many" }, user.AccessToken);
        await Problem.AssertAsync(refused, HttpStatusCode.Conflict, "too_many_api_keys");

        using (var revoke = await Client.DeleteAsync("/api/auth/api-keys/" + keys[0].Id, user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        await Client.CreateKeyAsync(user.AccessToken, "now there is room");
    }

    [Fact]
    public async Task RacingCreationsNeverLeaveMoreThanTwentyLiveKeys()
    {
        var user = await Client.SignupAsync();
        for (var i = 0; i < 17; i++)
        {
            await Client.CreateKeyAsync(user.AccessToken, "key " + i);
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Client.PostJsonAsync("/api/auth/api-keys", new { name = "racer " + i }, user.AccessToken)));

        // Safety over liveness: a racer whose own insert makes more than twenty removes itself, so racers may all lose,
        // but no key beyond the twentieth is ever handed out.
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var created = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        Assert.InRange(created, 0, 3);
        using var list = await Client.GetAsync("/api/auth/api-keys", user.AccessToken);
        var live = (await list.ReadJsonAsync()).GetArrayLength();
        Assert.Equal(17 + created, live);
        Assert.InRange(live, 17, 20);
        if (live < 20)
        {
            await Client.CreateKeyAsync(user.AccessToken, "after the race");
        }
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private async Task<IReadOnlyList<string>> AllTableValuesAsync()
    {
        var prefix = App.Table("").Name;
        var service = new TableServiceClient(App.Services.GetRequiredService<IConfiguration>()["Storage:ConnectionString"]);
        var values = new List<string>();
        var tables = 0;
        await foreach (var table in service.QueryAsync())
        {
            if (!table.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            tables++;
            await foreach (var entity in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                foreach (var (name, value) in entity)
                {
                    values.Add(name + "=" + value switch
                    {
                        byte[] bytes => Convert.ToBase64String(bytes) + " " + Convert.ToHexString(bytes) + " " + Encoding.UTF8.GetString(bytes),
                        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
                    });
                }
            }
        }

        Assert.Equal(6, tables); // Users, UserSessions, SessionExpiry, RateLimits, AuthorizationRequests, AuditEvents
        return values;
    }

    private static string Render(FakeLogRecord record) =>
        record.Message + " " + record.Exception + " " + string.Join(' ', record.StructuredState?.Select(p => p.Key + "=" + p.Value) ?? []);
}
