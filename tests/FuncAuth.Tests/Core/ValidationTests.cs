using FuncAuth.Core.Accounts;

namespace FuncAuth.Tests.Core;

public sealed class ValidationTests
{
    private const string Password = "correct horse battery";

    [Theory]
    [InlineData("ann\ud800@example.com", Password)]
    [InlineData("ann@example.com", "pass\udc00word-long")]
    [InlineData("\ud800", "\udfff")]
    public void TextThatIsNotValidUtf16IsReportedNotThrown(string email, string password)
    {
        var errors = Validation.Signup(email, password, password, "\ud83d");

        Assert.NotEmpty(errors);
        Assert.Contains("name", errors.Keys);
    }

    // The broken values are built here, not passed as test data: the runner's serialization of test data turns a
    // lone surrogate into U+FFFD, which is valid text.
    [Theory]
    [InlineData("email")]
    [InlineData("password")]
    [InlineData("passwordConfirmation")]
    [InlineData("name")]
    public void EachFieldNotValidUtf16IsReportedUnderItsOwnNameAlone(string field)
    {
        const string Lone = "\ud800";
        var password = field == "password" ? "pass" + Lone + "word-long" : Password;
        var errors = Validation.Signup(
            field == "email" ? "ann" + Lone + "@example.com" : "ann@example.com",
            password,
            field == "passwordConfirmation" ? Password + Lone : password,
            field == "name" ? "Ann" + Lone : "Ann");

        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void LoginReportsAnEmailThatIsNotValidUtf16()
    {
        Assert.Contains("email", Validation.Login("ann\ud800@example.com", Password).Keys);
    }

    [Fact]
    public void ARoleListMustBeNonEmptyAndKnown()
    {
        Assert.Empty(Validation.RoleList(["user", "admin", "user"]));
        Assert.Contains("roles", Validation.RoleList([]).Keys);
        Assert.Contains("roles", Validation.RoleList(["user", "root"]).Keys);
        Assert.Contains("roles", Validation.RoleList([null]).Keys);
    }

    [Theory]
    [InlineData("  Ann@Example.COM ", "ann@example.com")]
    [InlineData("ÅSA@example.com", "åsa@example.com")]
    public void EmailsCompareTrimmedAndCaseInsensitively(string input, string normalized)
    {
        Assert.Equal(normalized, EmailAddress.Normalize(input));
        Assert.Equal(EmailAddress.StorageKey(normalized), EmailAddress.StorageKey(EmailAddress.Normalize(input)));
    }
}
