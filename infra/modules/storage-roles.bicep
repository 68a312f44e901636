@description('Storage account the function app uses for its host and its tables.')
param storageAccountName string

@description('The app\'s tables; each gets its own role assignment.')
param tableNames string[]

@description('The app\'s queues (email outbox and its poison queue); each gets its own role assignment.')
param queueNames string[] = []

@description('Name of the app\'s user-assigned identity.')
param identityName string

var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName

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

// Storage Blob Data Owner on the account, for AzureWebJobsStorage: the Functions host creates its own containers and
// keeps host keys, the host-id lock and the timer trigger's singleton leases in blobs there, and Flex Consumption
// reads the deployment package from a container of the same account. Queue roles are per queue, below.
resource hostBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: identity.properties.principalId
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
