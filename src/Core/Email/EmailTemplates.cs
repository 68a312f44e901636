using System.Net;
using MimeKit;

namespace FuncAuth.Core.Email;

/// <summary>The emails, each as plain text and HTML: short, one link, and what to do if it was not you.</summary>
internal static class EmailTemplates
{
    public static MimeMessage VerifyEmail(Uri link) => Build(
        "Confirm your email address",
        "Confirm that this address is yours by opening the link below. It works once and expires in a day.",
        link,
        "Confirm email address",
        "If you did not sign up, ignore this email: without the link nobody can confirm the address.");

    public static MimeMessage ResetPassword(Uri link) => Build(
        "Reset your password",
        "Someone (hopefully you) asked to reset the password of the account with this address. Open the link below to choose a new one. It works once and expires in an hour. Choosing a new password signs the account out everywhere and revokes all of its API keys.",
        link,
        "Choose a new password",
        "If you did not ask for this, ignore this email: your password stays as it is.");

    public static MimeMessage SignupAttempt(Uri appLink) => Build(
        "Someone tried to sign up with your address",
        "Someone tried to create an account with this address, but you already have one. If that was you, sign in, or use \"Forgot password\" if you do not remember your password.",
        appLink,
        "Go to the app",
        "If it was not you, you need to do nothing: your account is unchanged.");

    public static MimeMessage PasskeyAdded(Uri appLink) => Build(
        "A passkey was added to your account",
        "A passkey was just added to your account: it can now sign in without your password. If that was you, there is nothing to do.",
        appLink,
        "Review your passkeys",
        "If it was not you, sign in, delete the passkey on the Passkeys page, change your password and sign out everywhere.");

    public static MimeMessage TotpEnabled(Uri appLink) => Build(
        "Two-step sign-in is on",
        "Two-step sign-in with an authenticator app was turned on for your account. Signing in now needs your password and a code from the app (or one of your recovery codes).",
        appLink,
        "Go to the app",
        "If this was not you, reset your password at once and contact your administrator.");

    public static MimeMessage TotpDisabled(Uri appLink) => Build(
        "Two-step sign-in is off",
        "Two-step sign-in with an authenticator app was turned off for your account, and its recovery codes no longer work. Signing in now needs only your password.",
        appLink,
        "Go to the app",
        "If this was not you, reset your password at once and contact your administrator.");

    public static MimeMessage MfaReset(Uri appLink) => Build(
        "Your second factors were reset",
        "An administrator reset the second factors of your account: the authenticator app and the recovery codes no longer work, and you were signed out everywhere. Sign in with your password and turn two-step sign-in on again.",
        appLink,
        "Go to the app",
        "If you did not ask for this, contact your administrator.");

    public static MimeMessage SecurityNotice(string kind, Uri appLink) => kind switch
    {
        EmailKinds.PasswordChangedNotice => Build(
            "Your password was changed",
            "The password of your account was just changed, and every other device was signed out.",
            appLink, "Review your account's activity",
            "If you did not do this, use \"Forgot password\" at once to take the account back: a reset signs out every device and revokes every API key."),
        EmailKinds.PasswordResetNotice => Build(
            "Your password was reset",
            "The password of your account was just reset with a link sent to this address. Every device was signed out and every API key of the account was revoked.",
            appLink, "Review your account's activity",
            "If you did not do this, reset your password again at once and check your email account's security."),
        _ => Build(
            "A new API key was created for your account",
            "An API key was just created for your account. API keys let programs act as you without your password.",
            appLink, "Review your account's activity",
            "If you did not do this, sign in, revoke the key and change your password."),
    };

    private static MimeMessage Build(string subject, string intro, Uri link, string action, string footer)
    {
        var url = link.AbsoluteUri;
        var body = new BodyBuilder
        {
            TextBody = $"{intro}\n\n{url}\n\n{footer}\n",
            HtmlBody = $"""
                <!doctype html>
                <html><body style="font-family: sans-serif; line-height: 1.5">
                <p>{WebUtility.HtmlEncode(intro)}</p>
                <p><a href="{WebUtility.HtmlEncode(url)}">{WebUtility.HtmlEncode(action)}</a></p>
                <p style="color: #555">{WebUtility.HtmlEncode(footer)}</p>
                </body></html>
                """,
        };
        return new MimeMessage { Subject = subject, Body = body.ToMessageBody() };
    }
}
