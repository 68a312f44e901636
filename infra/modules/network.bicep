metadata description = 'Private networking (main.bicep privateNetworking=true): a virtual network, the Flex app\'s integration subnet, and private endpoints with private DNS zones for the storage account\'s table, queue and blob services and for the vaults.'

@description('Name of the virtual network.')
param name string

@description('Storage account reached through private endpoints for table, queue and blob.')
param storageAccountName string

@description('Vaults reached through a private endpoint each.')
param keyVaultNames string[]

param location string
param tags object

// The storage services the app and the host use; the file service is not used (Flex Consumption has no content share).
var storageServices = ['table', 'queue', 'blob']
// privatelink zones of the cloud the template is deployed to (no hard-coded public-cloud suffix).
var storageZones = [for service in storageServices: 'privatelink.${service}.${environment().suffixes.storage}']
var vaultZone = 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'
var zones = concat(storageZones, [vaultZone])

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: ['10.0.0.0/16']
    }
    subnets: [
      {
        // Flex Consumption's virtual network integration needs a subnet delegated to Microsoft.App/environments and
        // used by nothing else.
        name: 'app'
        properties: {
          addressPrefix: '10.0.1.0/24'
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: '10.0.2.0/24'
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }

  resource appSubnet 'subnets' existing = {
    name: 'app'
  }

  resource endpointSubnet 'subnets' existing = {
    name: 'private-endpoints'
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource vaults 'Microsoft.KeyVault/vaults@2024-11-01' existing = [
  for vaultName in keyVaultNames: {
    name: vaultName
  }
]

resource dnsZones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in zones: {
    name: zone
    location: 'global'
    tags: tags
  }
]

resource dnsZoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, i) in zones: {
    parent: dnsZones[i]
    name: name
    location: 'global'
    tags: tags
    properties: {
      virtualNetwork: {
        id: vnet.id
      }
      registrationEnabled: false
    }
  }
]

resource storageEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for service in storageServices: {
    name: 'pe-${storageAccountName}-${service}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: vnet::endpointSubnet.id
      }
      privateLinkServiceConnections: [
        {
          name: 'pe-${storageAccountName}-${service}'
          properties: {
            privateLinkServiceId: storage.id
            groupIds: [service]
          }
        }
      ]
    }
  }
]

resource storageEndpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (service, i) in storageServices: {
    parent: storageEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: service
          properties: {
            privateDnsZoneId: dnsZones[i].id
          }
        }
      ]
    }
  }
]

resource vaultEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for (vaultName, i) in keyVaultNames: {
    name: 'pe-${vaultName}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: vnet::endpointSubnet.id
      }
      privateLinkServiceConnections: [
        {
          name: 'pe-${vaultName}'
          properties: {
            privateLinkServiceId: vaults[i].id
            groupIds: ['vault']
          }
        }
      ]
    }
  }
]

resource vaultEndpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (vaultName, i) in keyVaultNames: {
    parent: vaultEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: 'vault'
          properties: {
            privateDnsZoneId: dnsZones[length(storageServices)].id
          }
        }
      ]
    }
  }
]

output appSubnetId string = vnet::appSubnet.id
