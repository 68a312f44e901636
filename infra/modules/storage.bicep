@description('Name of the storage account (3-24 lowercase letters and digits).')
param name string

@description('Tables the app reads and writes; it never creates them in Azure.')
param tableNames string[]

@description('Queues of the app: the email outbox and its poison queue.')
param queueNames string[] = []

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Blob container of the Functions host (host id, the timer trigger\'s schedule and its singleton locks).')
param hostContainerName string

@description('Reachable only through private endpoints: public network access off.')
param privateNetworking bool

@description('Resource id of the Log Analytics workspace that receives the blob, queue and table logs.')
param logAnalyticsWorkspaceId string

param location string
param tags object

// Every request the services log: reads, writes and deletes, failed or not (a diagnostic setting cannot filter on the
// result; the workspace query does, docs/deploy.md).
var storageLogCategories = ['StorageRead', 'StorageWrite', 'StorageDelete']

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    // Entra ID only: no account key or SAS can be used, so none can leak.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Without private networking the app reaches storage from Flex Consumption's shared outbound addresses, which no
    // firewall rule can name; every request still needs an Entra token and a role (docs/deploy.md).
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateNetworking ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    // Made here so that the host's role can be scoped to it: with a role on this container only, the host could not
    // create it itself.
    resource hostContainer 'containers' = {
      name: hostContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource queues 'queues' = [
      for queueName in queueNames: {
        name: queueName
      }
    ]
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource tables 'tables' = [
      for tableName in tableNames: {
        name: tableName
      }
    ]
  }
}

resource blobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::blobService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [for category in storageLogCategories: { category: category, enabled: true }]
  }
}

resource queueLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::queueService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [for category in storageLogCategories: { category: category, enabled: true }]
  }
}

resource tableLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::tableService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [for category in storageLogCategories: { category: category, enabled: true }]
  }
}

output tableEndpoint string = storage.properties.primaryEndpoints.table
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
