import { AppSettings } from 'app-settings.bicep'

@description('Name of the function app.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

param location string
param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity: DefaultAzureCredential and the Functions host pick the identity by it.')
param identityClientId string

@description('Resource id of the identity the platform reads and writes the deployment package with, and nothing else.')
param packageIdentityId string

@description('Vault where the Functions host keeps its keys.')
param hostKeysVaultUri string

@description('Subnet (delegated to Microsoft.App/environments) the app\'s outbound traffic goes through; empty = no virtual network.')
param virtualNetworkSubnetId string

@description('Resource id of the Log Analytics workspace that receives the app\'s logs.')
param logAnalyticsWorkspaceId string

param storageAccountName string

@description('Blob container URL of the deployment package.')
param deploymentContainerUrl string

param applicationInsightsName string

@description('Key Vault holding the signing key.')
param keyVaultUri string

param signingKeySecretName string

@description('Browser origins allowed by the platform CORS (and by the app, standalone).')
param allowedOrigins string[]

@description('The service\'s settings, defaults applied (modules/app-settings.bicep).')
param settings AppSettings

@description('Queue endpoint of the storage account: the app writes to the outbox, the host\'s queue trigger reads it.')
param queueServiceUri string

@description('The email outbox queue; function.json of SendEmail names the same queue.')
param emailQueueName string

@description('Name of the vault secret that holds the SMTP password.')
param smtpPasswordSecretName string

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
      '${packageIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Private networking: outbound traffic (storage, both vaults) leaves through the integration subnet and resolves
    // the private endpoints' names in the private DNS zones linked to it.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    // Key Vault references (the SMTP password) are resolved with the app's user-assigned identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Under the Functions host, the platform answers CORS preflights before the app sees them.
      cors: {
        allowedOrigins: allowedOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            // Not the app's identity: that one has no role on the package's container (storage-roles.bicep).
            userAssignedIdentityResourceId: packageIdentityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: 2048
        maximumInstanceCount: maximumInstanceCount
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      // A value from the Flex Consumption runtime catalog: ARM accepts any version, and a wrong one only shows when
      // the app fails to start.
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
  }

  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Host storage through the identity: there is no connection string to steal.
      AzureWebJobsStorage__accountName: storage.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      AZURE_CLIENT_ID: identityClientId
      // Host keys (master, host, function keys) in a vault of their own rather than in a blob container: every read is
      // audited, and the app needs no blob access beyond the host's one container.
      AzureWebJobsSecretStorageType: 'keyvault'
      AzureWebJobsSecretStorageKeyVaultUri: hostKeysVaultUri
      AzureWebJobsSecretStorageKeyVaultClientId: identityClientId
      // Not a secret (local auth is off): telemetry needs the token that the authentication string asks for.
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      Storage__TableServiceUri: storage.properties.primaryEndpoints.table
      KeyVault__Uri: keyVaultUri
      KeyVault__SigningKeySecretName: signingKeySecretName
      // The issuer is the public base URL: relying parties fetch discovery and the JWKS below it.
      Auth__Issuer: empty(settings.issuer) ? 'https://${site.properties.defaultHostName}' : settings.issuer
      Auth__Audience: settings.audience
      Auth__ClientId: settings.tokenClientId
      Auth__AccessTokenLifetime: settings.accessTokenLifetime
      Auth__RefreshTokenLifetime: settings.refreshTokenLifetime
      Auth__RefreshReuseInterval: settings.refreshReuseInterval
      Auth__KeyActivationDelay: settings.keyActivationDelay
      Auth__AdminEmails: settings.adminEmails
      Cors__AllowedOrigins: join(allowedOrigins, ',')
      // The Functions host proxies each HTTP request to the app from 127.0.0.1 with the front end's X-Forwarded-For
      // unchanged; only that hop is trusted, so the client is the entry the platform's front end appended (README).
      Network__TrustedProxies: '127.0.0.1,::1'
      CleanupSchedule: settings.cleanupSchedule
      Storage__QueueServiceUri: queueServiceUri
      // The queue trigger's connection (function.json "connection": "EmailQueue"), through the identity as well.
      EmailQueue__queueServiceUri: queueServiceUri
      EmailQueue__credential: 'managedidentity'
      EmailQueue__clientId: identityClientId
      Email__QueueName: emailQueueName
      Email__SmtpHost: settings.smtpHost
      Email__SmtpPort: string(settings.smtpPort)
      Email__SmtpSecurity: settings.smtpSecurity
      Email__SmtpUsername: settings.smtpUsername
      // A Key Vault reference, resolved by the platform with the app's identity: the password is never in the template.
      // Flex Consumption cannot resolve references to a vault with public access off (privateNetworking): see
      // docs/deploy.md for what that means for email.
      Email__SmtpPassword: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${smtpPasswordSecretName}/)'
      Email__From: settings.emailFrom
      Email__LinkBaseUrl: settings.emailLinkBaseUrl
      Auth__RequireEmailVerification: string(settings.requireEmailVerification)
      Auth__SessionMaxLifetime: settings.sessionMaxLifetime
    }
  }

  // Deployments go through Entra ID (azd, az functionapp deploy); no FTP or basic-auth publishing credentials.
  resource ftpPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

// The Functions host's own log (FunctionAppLogs) in the workspace, beside the audit of storage and the vaults; the app's
// telemetry goes to Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING).
resource appLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
  }
}

output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
