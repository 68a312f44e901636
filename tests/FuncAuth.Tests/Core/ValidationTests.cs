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

    // Zero-width and bidi control characters, built here for the same reason as above (and so they stay visible).
    [Theory]
    [InlineData(0x200B)] // zero-width space
    [InlineData(0x200C)] // zero-width non-joiner
    [InlineData(0x200D)] // zero-width joiner
    [InlineData(0x2060)] // word joiner
    [InlineData(0xFEFF)] // zero-width no-break space (byte-order mark)
    [InlineData(0x00AD)] // soft hyphen
    [InlineData(0x200E)] // left-to-right mark
    [InlineData(0x200F)] // right-to-left mark
    [InlineData(0x061C)] // Arabic letter mark
    [InlineData(0x202A)] // left-to-right embedding
    [InlineData(0x202E)] // right-to-left override
    [InlineData(0x2066)] // left-to-right isolate
    [InlineData(0x2069)] // pop directional isolate
    public void NamesAndEmailsWithZeroWidthOrBidiControlCharactersAreRefused(int codePoint)
    {
        var invisible = char.ConvertFromUtf32(codePoint);

        var errors = Validation.Signup("ann" + invisible + "@example.com", Password, Password, "Ann" + invisible + "e");

        Assert.Equal(["email", "name"], errors.Keys.Order());
        Assert.False(EmailAddress.IsValid("ann@exam" + invisible + "ple.com"));
    }

    [Fact]
    public void NamesInOtherScriptsAndEmojiStayWelcome()
    {
        Assert.Empty(Validation.Signup("ann@example.com", Password, Password, "Zoë Ньютон 李小龍 محمد 🙂"));
        // A zero-width joiner inside an emoji sequence (woman, skin tone, joiner, laptop; heart, VS16, joiner, fire) is
        // the emoji's own spelling; next to a letter it is an invisible character again.
        Assert.Empty(Validation.Signup("ann@example.com", Password, Password, "Ann \U0001F469\U0001F3FD\u200D\U0001F4BB \u2764\uFE0F\u200D\U0001F525"));
        Assert.Contains("name", Validation.Signup("ann@example.com", Password, Password, "An\u200Dn \U0001F469").Keys);
        // Between letters of a script that is written with them, joiners are spelling: Persian with a non-joiner, a
        // Devanagari half form with a joiner after the virama. Between Latin letters the non-joiner is a disguise.
        Assert.Empty(Validation.Signup("ann@example.com", Password, Password, "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"));
        Assert.Empty(Validation.Signup("ann@example.com", Password, Password, "\u0915\u094D\u200D\u0937"));
        Assert.Contains("name", Validation.Signup("ann@example.com", Password, Password, "ad\u200Cmin").Keys);
        Assert.Contains("name", Validation.Signup("ann@example.com", Password, Password, "\u200D\U0001F469").Keys);
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
