using System.Text;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Passwords;
using Microsoft.AspNetCore.Identity;

namespace FuncAuth.Tests.Abuse;

/// <summary>The password rules of docs/api.md and NFKC normalisation.</summary>
public sealed class PasswordRulesTests
{
    [Fact]
    public void TheListIsTheTopTenThousandOfZxcvbnsFrequencyRankedPasswords()
    {
        Assert.Equal(CommonPasswords.Count, CommonPasswords.Warm());
        Assert.True(CommonPasswords.Contains("password123"));
        Assert.True(CommonPasswords.Contains("Password123"));
        Assert.True(CommonPasswords.Contains("baseball"));
        Assert.False(CommonPasswords.Contains("correct horse battery staple"));
        // The header's lines are comments, not passwords.
        Assert.False(CommonPasswords.Contains("# copyright (c) 2021 @zxcvbn-ts"));
    }

    [Theory]
    // The first and the last of the 10,000, and one beyond them.
    [InlineData("123456", true)]
    [InlineData("24081990", true)]
    [InlineData("25021983", false)]
    public void TheListEndsAtTheTenThousandth(string password, bool common)
    {
        Assert.Equal(common, CommonPasswords.Contains(password));
    }

    [Fact]
    public void ACommonPasswordIsRefusedWithTheFieldError()
    {
        var errors = Validation.Signup("ann@example.com", "password123", "password123", null);

        Assert.Equal([PasswordRules.CommonMessage], errors["password"]);
    }

    [Fact]
    public void APasswordContainingTheLocalPartIsRefusedWhateverItsCase()
    {
        var errors = Validation.Signup("Annabel@example.com", "my ANNABEL secret", "my ANNABEL secret", null);

        Assert.Equal([PasswordRules.LocalPartMessage], errors["password"]);
    }

    [Fact]
    public void ALocalPartShorterThanFourCharactersIsNotARule()
    {
        Assert.Empty(Validation.Signup("ann@example.com", "ann is on a long walk", "ann is on a long walk", null));
    }

    [Fact]
    public void NormalisationWorksInThisBuild()
    {
        Assert.True(UnicodeNormalization.Works());
    }

    [Fact]
    public void ComposedAndDecomposedSpellingsAreOnePassword()
    {
        var hashing = new PasswordHashing();
        var hash = hashing.Hash("S\u00e9same ouvre-toi");

        Assert.Equal(PasswordCheck.Succeeded, hashing.Verify(hash, "Se\u0301same ouvre-toi"));
        Assert.Equal(PasswordCheck.Failed, hashing.Verify(hash, "Sesame ouvre-toi"));
    }

    [Fact]
    public void AHashOfTheUnnormalisedPasswordStillVerifiesAndAsksForARehash()
    {
        // What the build under invariant globalization stored: the password as typed, decomposed.
        var typed = "Se\u0301same ouvre-toi";
        var legacy = new PasswordHasher<UserAccount>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
            IterationCount = PasswordHashing.IterationCount,
        })).HashPassword(null!, typed);
        var hashing = new PasswordHashing();

        Assert.Equal(PasswordCheck.SucceededRehashNeeded, hashing.Verify(legacy, typed));
        Assert.Equal(PasswordCheck.Failed, hashing.Verify(legacy, "Sesame ouvre-toi"));
        Assert.Equal(PasswordCheck.Succeeded, hashing.Verify(hashing.Hash(typed), typed.Normalize(NormalizationForm.FormC)));
    }
}
