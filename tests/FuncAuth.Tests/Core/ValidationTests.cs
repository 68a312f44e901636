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

    [Theory]
    [InlineData("email", "ann\ud800@example.com", Password, Password, "Ann")]
    [InlineData("password", "ann@example.com", "pass\udc00word-long", "pass\udc00word-long", "Ann")]
    [InlineData("passwordConfirmation", "ann@example.com", Password, "correct horse\ud800", "Ann")]
    [InlineData("name", "ann@example.com", Password, Password, "\ud83d")]
    public void EachFieldNotValidUtf16IsReportedUnderItsOwnNameAlone(string field, string email, string password, string confirmation, string name)
    {
        var errors = Validation.Signup(email, password, confirmation, name);

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
