using System.Security.Cryptography;
using FuncAuth.Core.Tokens;

namespace FuncAuth.Tests.Core;

public sealed class RefreshTokenTests
{
    private static readonly SigningKey Key = new("k1", ECDsa.Create(ECCurve.NamedCurves.nistP256), DateTimeOffset.UnixEpoch);
    private static readonly SigningKeySet Keys = new([Key]);
    private static readonly RefreshTokenParts Parts = new(new string('a', 32), new string('b', 32), 7, "k1");

    [Fact]
    public void ATokenVerifiesToTheSessionAndCounterItWasMadeFor()
    {
        var token = RefreshTokens.Create(Parts, Key);

        Assert.Equal(Parts, RefreshTokens.Verify(token, Keys));
    }

    [Fact]
    public void TheSecretPartCarriesAFull256BitMac()
    {
        var mac = RefreshTokens.Create(Parts, Key).Split('.')[^1];

        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(mac).Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void ChangingAnyFieldInvalidatesTheToken(int field)
    {
        var fields = RefreshTokens.Create(Parts, Key).Split('.');
        fields[field] = field switch
        {
            2 => "8",
            3 => "k2",
            _ => fields[field][..^1] + (fields[field][^1] == 'a' ? 'c' : 'a'),
        };

        Assert.Null(RefreshTokens.Verify(string.Join('.', fields), Keys));
    }

    [Fact]
    public void ATokenMadeWithAnotherKeyIsInvalid()
    {
        var other = new SigningKey("k1", ECDsa.Create(ECCurve.NamedCurves.nistP256), DateTimeOffset.UnixEpoch);

        Assert.Null(RefreshTokens.Verify(RefreshTokens.Create(Parts, other), Keys));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("....")]
    [InlineData("a.b.c.d.e")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.-1.k1.x")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.1.k1.x")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.99999999999999999999.k1.x")]
    public void MalformedTokensAreInvalid(string? token)
    {
        Assert.Null(RefreshTokens.Verify(token, Keys));
    }

    [Fact]
    public void AnOverlongTokenIsRejectedBeforeAnyWork()
    {
        Assert.Null(RefreshTokens.Verify(RefreshTokens.Create(Parts, Key) + new string('a', 300), Keys));
    }
}
