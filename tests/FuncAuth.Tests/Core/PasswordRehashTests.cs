using Azure.Data.Tables;
using FuncAuth.Core.Accounts;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Identity;

namespace FuncAuth.Tests.Core;

/// <summary>Hashes made at an older, weaker work factor are upgraded on the next successful login.</summary>
public sealed class PasswordRehashTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task LoginUpgradesAHashMadeWithFewerIterations()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var client = app.CreateClient();
        var user = await client.SignupAsync();
        var users = app.Table("Users");
        var key = EmailAddress.StorageKey(EmailAddress.Normalize(user.Email));
        var entity = (await users.GetEntityAsync<TableEntity>(key, "")).Value;
        var weak = new PasswordHasher<object>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 10_000 }));
        entity["PasswordHash"] = weak.HashPassword(null!, Api.Password);
        await users.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);

        await client.LoginAsync(user.Email);

        var upgraded = (string)(await users.GetEntityAsync<TableEntity>(key, "")).Value["PasswordHash"];
        Assert.NotEqual(entity["PasswordHash"], upgraded);
        Assert.Equal(210_000, IterationsOf(upgraded));
        await client.LoginAsync(user.Email);
    }

    [Fact]
    public async Task NewHashesUseOwaspsRecommendedIterationCount()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var user = await app.CreateClient().SignupAsync();

        var entity = (await app.Table("Users").GetEntityAsync<TableEntity>(EmailAddress.StorageKey(EmailAddress.Normalize(user.Email)), "")).Value;

        Assert.Equal(210_000, IterationsOf((string)entity["PasswordHash"]));
    }

    /// <summary>Identity v3 format: 0x01, PRF (4 bytes), iteration count (4 bytes, big-endian), ...</summary>
    private static int IterationsOf(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(1, bytes[0]);
        Assert.Equal(2, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1))); // HMAC-SHA512
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(5));
    }
}
