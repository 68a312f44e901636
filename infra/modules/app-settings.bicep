metadata description = 'The service\'s settings that a deployment may choose: their type, and their defaults in one place.'

@export()
@description('What a deployment may set (main.bicep param appSettings); every field is optional and falls back to appSettingDefaults.')
type AppSettingsInput = {
  @description('Comma-separated emails that get role admin once their owner completes a password reset.')
  adminEmails: string?

  @description('iss of issued tokens and base of every published URL. Empty = the function app\'s https:// default host name; set it only for a custom domain.')
  issuer: string?

  @description('aud of issued tokens.')
  audience: string?

  @description('client_id claim of issued tokens.')
  tokenClientId: string?

  @description('Access-token lifetime (TimeSpan).')
  accessTokenLifetime: string?

  @description('Refresh-token lifetime (TimeSpan), renewed on each refresh.')
  refreshTokenLifetime: string?

  @description('Grace for a spent refresh token presented again (TimeSpan).')
  refreshReuseInterval: string?

  @description('How long a new signing-key version is published before it signs (TimeSpan); longer than the JWKS max-age (5 min) plus the key reload interval (5 min).')
  keyActivationDelay: string?

  @description('Absolute session lifetime (TimeSpan), however often it is refreshed.')
  sessionMaxLifetime: string?

  @description('NCRONTAB schedule of CleanupExpiredTokens.')
  cleanupSchedule: string?

  @description('SMTP relay host (Azure Communication Services, SendGrid, ...). Empty = no email is sent.')
  smtpHost: string?

  @minValue(1)
  @maxValue(65535)
  @description('SMTP port: 587 for STARTTLS, 465 for TLS on connect.')
  smtpPort: int?

  @description('How the SMTP connection is secured; never plain text in Azure.')
  smtpSecurity: ('StartTls' | 'SslOnConnect')?

  @description('SMTP user name; the password is the Key Vault secret smtp-password (infra/scripts/set-smtp-password.sh), never a setting here.')
  smtpUsername: string?

  @description('From address of FuncAuth\'s emails.')
  emailFrom: string?

  @description('Base URL of the single-page app: email links go to {base}/verify-email and {base}/reset-password.')
  emailLinkBaseUrl: string?

  @description('Signup answers 202 and login waits for a verified address.')
  requireEmailVerification: bool?
}

@export()
@description('The settings after the defaults are applied: what the function app module receives.')
type AppSettings = {
  adminEmails: string
  issuer: string
  audience: string
  tokenClientId: string
  accessTokenLifetime: string
  refreshTokenLifetime: string
  refreshReuseInterval: string
  keyActivationDelay: string
  sessionMaxLifetime: string
  cleanupSchedule: string
  smtpHost: string
  @minValue(1)
  @maxValue(65535)
  smtpPort: int
  smtpSecurity: 'StartTls' | 'SslOnConnect'
  smtpUsername: string
  emailFrom: string
  emailLinkBaseUrl: string
  requireEmailVerification: bool
}

@export()
@description('The one place the defaults live (they match docs/api.md).')
var appSettingDefaults = {
  adminEmails: ''
  issuer: ''
  audience: 'funcauth-api'
  tokenClientId: 'funcauth'
  accessTokenLifetime: '00:15:00'
  refreshTokenLifetime: '30.00:00:00'
  refreshReuseInterval: '00:00:10'
  keyActivationDelay: '00:10:00'
  sessionMaxLifetime: '90.00:00:00'
  cleanupSchedule: '0 0 * * * *'
  smtpHost: ''
  smtpPort: 587
  smtpSecurity: 'StartTls'
  smtpUsername: ''
  emailFrom: ''
  emailLinkBaseUrl: ''
  requireEmailVerification: false
}
