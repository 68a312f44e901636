@description('Storage account the function app uses for its host and its tables.')
param storageAccountName string

@description('The app\'s tables; each gets its own role assignment.')
param tableNames string[]

@description('The app\'s queues (email outbox and its poison queue); each gets its own role assignment.')
param queueNames string[] = []

@description('Name of the app\'s user-assigned identity.')
param identityName string

@description('Blob container of the Functions host; the app\'s identity gets blob access to it and to no other container.')
param hostContainerName string

@description('Blob container of the deployment package.')
param deploymentContainerName string

@description('Name of the identity the platform reads and writes the deployment package with; nothing else uses it.')
param packageIdentityName string

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource packageIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: packageIdentityName
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource hostContainer 'containers' existing = {
      name: hostContainerName
    }

    resource deploymentContainer 'containers' existing = {
      name: deploymentContainerName
    }
  }

  resource tableService 'tableServices' existing = {
    name: 'default'
  }

  resource queueService 'queueServices' existing = {
    name: 'default'
  }
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' existing = [
  for queueName in queueNames: {
    parent: storage::queueService
    name: queueName
  }
]

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' existing = [
  for tableName in tableNames: {
    parent: storage::tableService
    name: tableName
  }
]

// Storage Blob Data Contributor on the host's container only, for AzureWebJobsStorage: the Functions host keeps its
// host id, the timer trigger's schedule and the singleton locks (blob leases) there. Not Owner (nothing here sets ACLs),
// not the account: the app can neither read nor replace the deployment package, and the host keys are in their own
// vault (keyvault-roles.bicep), not in blobs.
resource hostBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::hostContainer.id, identity.id, storageBlobDataContributor)
  scope: storage::blobService::hostContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Blob Data Contributor on the deployment package's container only, for the package identity: Flex
// Consumption writes the package there when it is published (azd deploy) and reads it on every start. The app's own
// identity has no role on it, so neither the app's code (DefaultAzureCredential, AZURE_CLIENT_ID) nor the host can
// replace the package (docs/deploy.md says what this does not prevent).
resource packageBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::deploymentContainer.id, packageIdentity.id, storageBlobDataContributor)
  scope: storage::blobService::deploymentContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: packageIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Table Data Contributor on each of the app's tables, not the account: the app reads and writes its own rows
// and can neither create nor touch any other table.
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (tableName, i) in tableNames: {
    name: guid(tables[i].id, identity.id, storageTableDataContributor)
    scope: tables[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Storage Queue Data Contributor on each of the app's queues, not the account: the app enqueues emails, the host's
// queue trigger (and the standalone drainer) reads, deletes and moves failed ones to the poison queue, and nothing
// can touch any other queue.
resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in queueNames: {
    name: guid(queues[i].id, identity.id, storageQueueDataContributor)
    scope: queues[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]
