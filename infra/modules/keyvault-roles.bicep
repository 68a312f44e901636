@description('The vault of the signing key and the SMTP password.')
param keyVaultName string

@description('The vault where the Functions host keeps its keys (master, host and function keys).')
param hostKeysVaultName string

@description('Name of the app\'s user-assigned identity.')
param identityName string

@description('Object id of whoever runs the deployment; empty = none.')
param deployerPrincipalId string

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource hostKeysVault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: hostKeysVaultName
}

// Key Vault Secrets User on the vault, for the app: it lists the versions of the signing key and reads their values,
// and the platform resolves the SMTP password's Key Vault reference with it. Scoped to the vault, not the secrets:
// they only come into being after provisioning (the template must never hold their values) and Azure cannot assign a
// role on a secret that does not exist yet. The vault holds these two secrets and nothing else.
resource appSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Key Vault Secrets Officer on the vault, for the deploying user, for one step: the post-provision hook creates the
// signing key, then removes this assignment (there is no expiry on a plain role assignment). Each provision grants it
// again and the hook removes it again, so it never stands. Rotation is a deliberate grant or the signing-key workflow.
resource deployerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
  }
}

// Key Vault Secrets Officer on the host-keys vault, for the app: the Functions host (AzureWebJobsSecretStorageType
// keyvault) creates, reads, renews and deletes its keys there. A vault of its own, so that this write access reaches
// no signing key, and every read of a host key leaves an audit event.
resource hostKeysOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostKeysVault.id, identity.id, keyVaultSecretsOfficer)
  scope: hostKeysVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}
