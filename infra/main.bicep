metadata description = 'FuncAuth: the custom-handler function app on Flex Consumption, its tables, its signing-key vault and its telemetry, reached only through a managed identity.'

targetScope = 'resourceGroup'

import { AppSettingsInput, appSettingDefaults } from 'modules/app-settings.bicep'

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd: AZURE_ENV_NAME); part of every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource.')
param location string

@description('Object id of the user or service principal running the deployment: gets Key Vault Secrets Officer so that it can create and rotate the signing key. Empty = no such role assignment.')
param principalId string = ''

@description('Whether principalId gets Key Vault Secrets Officer. The deployment pipeline sets false: it provisions and deploys, but never creates, reads or rotates the signing key.')
param deployerKeyVaultAccess bool = true

@description('Browser origins allowed to call the API, e.g. ["https://app.example.com"].')
param allowedOrigins string[] = []

@description('The service\'s settings (token lifetimes, issuer, admins, email); any field left out takes its default from modules/app-settings.bicep, the one place defaults live. Secrets never go here: the SMTP password is a Key Vault secret.')
param appSettings AppSettingsInput = {}

@minValue(1)
@maxValue(1000)
@description('Most instances Flex Consumption may scale out to.')
param maximumInstanceCount int = 100

@minValue(1)
@maxValue(1000)
@description('Concurrent HTTP requests Flex Consumption sends one instance before it scales out (16 is the platform\'s default on 2,048 MB). A login-heavy load is bound by password hashing, not by concurrency: lower it (2 to 4) so that the scaler adds instances as logins queue (docs/performance.md, "Scale plan").')
param httpPerInstanceConcurrency int = 16

@description('Storage and both vaults reachable only through private endpoints in a virtual network the app is integrated with; public network access off on all three. Off by default: the signing-key scripts then need a machine inside the network (docs/deploy.md).')
param privateNetworking bool = false

// The defaults, with what the deployment chose on top.
var settings = union(appSettingDefaults, appSettings)
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var tableNames = ['Users', 'UserSessions', 'SessionExpiry', 'RateLimits', 'AuthorizationRequests', 'AuditEvents']
var emailQueueName = 'email-outbox'
// The poison queue exists up front: with roles scoped to the queues, the host could not create it itself.
var queueNames = ['email-outbox', 'email-outbox-poison']
var smtpPasswordSecretName = 'smtp-password'
var signingKeySecretName = 'jwt-signing-key'
// Names are computed here, not taken from module outputs, so What-If can predict every resource and role assignment.
var identityName = 'id-${resourceToken}'
var packageIdentityName = 'id-package-${resourceToken}'
var logAnalyticsName = 'log-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var keyVaultName = 'kv-${resourceToken}'
var hostKeysVaultName = 'kvh-${resourceToken}'
var deploymentContainerName = 'app-package'
// The container the Functions host uses when its keys are not kept in blobs (host id, timers, locks).
var hostContainerName = 'azure-webjobs-hosts'
var logAnalyticsWorkspaceId = resourceId('Microsoft.OperationalInsights/workspaces', logAnalyticsName)
var functionAppName = 'func-${resourceToken}'
// Who may create and rotate the signing key: the deploying user, never the deployment pipeline.
var keyVaultOfficerId = deployerKeyVaultAccess ? principalId : ''

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

// The identity Flex Consumption writes and reads the deployment package with, apart from the app's own (storage-roles).
module packageIdentity 'modules/identity.bicep' = {
  name: 'package-identity'
  params: {
    name: packageIdentityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    tableNames: tableNames
    queueNames: queueNames
    deploymentContainerName: deploymentContainerName
    hostContainerName: hostContainerName
    privateNetworking: privateNetworking
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
    location: location
    tags: tags
  }
  dependsOn: [
    monitoring
  ]
}

// The signing key and the SMTP password.
module keyVault 'modules/keyvault.bicep' = {
  name: 'key-vault'
  params: {
    name: keyVaultName
    privateNetworking: privateNetworking
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
    location: location
    tags: tags
  }
  dependsOn: [
    monitoring
  ]
}

// The Functions host's keys, apart from the signing key: the host must write here, and must not be able to write there.
module hostKeysVault 'modules/keyvault.bicep' = {
  name: 'host-keys-vault'
  params: {
    name: hostKeysVaultName
    privateNetworking: privateNetworking
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
    location: location
    tags: tags
  }
  dependsOn: [
    monitoring
  ]
}

module network 'modules/network.bicep' = if (privateNetworking) {
  name: 'network'
  params: {
    name: 'vnet-${resourceToken}'
    storageAccountName: storageAccountName
    keyVaultNames: [keyVaultName, hostKeysVaultName]
    location: location
    tags: tags
  }
  dependsOn: [
    storage
    keyVault
    hostKeysVault
  ]
}

module storageRoles 'modules/storage-roles.bicep' = {
  name: 'storage-roles'
  params: {
    storageAccountName: storageAccountName
    tableNames: tableNames
    queueNames: queueNames
    identityName: identityName
    hostContainerName: hostContainerName
    deploymentContainerName: deploymentContainerName
    packageIdentityName: packageIdentityName
  }
  dependsOn: [
    identity
    packageIdentity
    storage
  ]
}

module keyVaultRoles 'modules/keyvault-roles.bicep' = {
  name: 'key-vault-roles'
  params: {
    keyVaultName: keyVaultName
    hostKeysVaultName: hostKeysVaultName
    identityName: identityName
    deployerPrincipalId: keyVaultOfficerId
  }
  dependsOn: [
    identity
    keyVault
    hostKeysVault
  ]
}

module monitoringRoles 'modules/monitoring-roles.bicep' = {
  name: 'monitoring-roles'
  params: {
    applicationInsightsName: applicationInsightsName
    identityName: identityName
  }
  dependsOn: [
    identity
    monitoring
  ]
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    packageIdentityId: packageIdentity.outputs.id
    hostKeysVaultUri: hostKeysVault.outputs.uri
    virtualNetworkSubnetId: privateNetworking ? network!.outputs.appSubnetId : ''
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
    storageAccountName: storageAccountName
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsName: applicationInsightsName
    keyVaultUri: keyVault.outputs.uri
    signingKeySecretName: signingKeySecretName
    allowedOrigins: allowedOrigins
    settings: settings
    queueServiceUri: storage.outputs.queueEndpoint
    emailQueueName: emailQueueName
    smtpPasswordSecretName: smtpPasswordSecretName
    maximumInstanceCount: maximumInstanceCount
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
  }
  // The app must find its roles in place when it first starts, not get 403s until they arrive.
  dependsOn: [
    monitoring
    storageRoles
    keyVaultRoles
    monitoringRoles
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_KEY_VAULT_NAME string = keyVaultName
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output AZURE_HOST_KEYS_VAULT_NAME string = hostKeysVaultName
output AZURE_PRIVATE_NETWORKING bool = privateNetworking
output AZURE_SIGNING_KEY_NAME string = signingKeySecretName
// Who got Key Vault Secrets Officer for creating the key (empty: nobody); the postprovision hook removes that role again.
output AZURE_SIGNING_KEY_OFFICER_ID string = keyVaultOfficerId
output AZURE_STORAGE_ACCOUNT_NAME string = storageAccountName
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
