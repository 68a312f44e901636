using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

/// <summary>Names and emails with zero-width or bidi control characters are the usual 422, at every route that takes them.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class InvisibleCharacterTests(AzuriteFixture azurite)
{
    private static readonly string RightToLeftOverride = char.ConvertFromUtf32(0x202E);
    private static readonly string ZeroWidthSpace = char.ConvertFromUtf32(0x200B);
    private static readonly string LeftToRightIsolate = char.ConvertFromUtf32(0x2066);

    [Fact]
    public async Task SignupAndProfileUpdateRefuseThemAsValidationErrors()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var client = app.CreateClient();

        using (var name = await client.PostJsonAsync("/api/auth/signup", new { email = Api.NewEmail(), password = Api.Password, passwordConfirmation = Api.Password, name = "Admin" + RightToLeftOverride + "nimda" }))
        {
            var problem = await Problem.AssertAsync(name, HttpStatusCode.UnprocessableEntity, "validation_failed");
            Assert.Equal(["name"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }

        using (var email = await client.PostJsonAsync("/api/auth/signup", new { email = "ad" + ZeroWidthSpace + "min@example.com", password = Api.Password, passwordConfirmation = Api.Password }))
        {
            var problem = await Problem.AssertAsync(email, HttpStatusCode.UnprocessableEntity, "validation_failed");
            Assert.Equal(["email"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }

        var user = await client.SignupAsync();
        using var update = await client.SendAsync(Api.Json(HttpMethod.Patch, "/api/auth/me", new { name = "Ann" + LeftToRightIsolate }, user.AccessToken));
        var updateProblem = await Problem.AssertAsync(update, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["name"], updateProblem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }
}
