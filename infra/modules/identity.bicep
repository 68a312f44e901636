@description('Name of the user-assigned identity (the app\'s own, or the one the platform handles the deployment package with).')
param name string

param location string
param tags object

// User-assigned rather than system-assigned: the identity, and so its role assignments, exist before the app does,
// and the app finds every permission in place on its first start.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
