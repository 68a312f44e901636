@description('Name of the vault (3-24 characters).')
param name string

@description('Reachable only through a private endpoint: public network access off.')
param privateNetworking bool

@description('Resource id of the Log Analytics workspace that receives the vault\'s audit log.')
param logAnalyticsWorkspaceId string

param location string
param tags object

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Azure RBAC instead of access policies: access is granted per role and scope, and audited like any other.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // A deleted secret can be recovered but never purged early, by anyone.
    enablePurgeProtection: true
    // Without private networking the callers (the app on Flex Consumption's shared outbound addresses, the person or
    // workflow that makes the signing key) have no fixed address a firewall could allow; every call needs a role.
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateNetworking ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Every read, write and failed attempt on a secret, with the caller's identity and address (AzureDiagnostics,
// Category == "AuditEvent").
resource auditLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
      }
    ]
  }
}

output uri string = vault.properties.vaultUri
