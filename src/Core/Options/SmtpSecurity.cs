namespace FuncAuth.Core.Options;

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    StartTls,
    SslOnConnect,
    None,
}
