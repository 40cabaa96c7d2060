// Private endpoints of `network: 'private'`, one per entry of `endpoints` (a service's
// sub-resource: blob, queue, table of the storage account; scheduler of the Durable Task
// Scheduler), each with the private DNS zone of its service linked to the virtual network, so the
// service's usual host name resolves to the endpoint's private address inside the network.
@description('Region of the endpoints (that of the network).')
param location string

@description('Tags.')
param tags object = {}

@description('The network the zones are linked to.')
param virtualNetworkId string

@description('Subnet the endpoints take their addresses from.')
param subnetId string

@description('One entry per endpoint: { name, serviceId, groupId, zone } (zone: the privatelink DNS zone name).')
param endpoints array

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for endpoint in endpoints: {
    name: endpoint.zone
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (endpoint, i) in endpoints: {
    parent: zones[i]
    name: 'vnet-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: { id: virtualNetworkId }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for endpoint in endpoints: {
    name: endpoint.name
    location: location
    tags: tags
    properties: {
      subnet: { id: subnetId }
      privateLinkServiceConnections: [
        {
          name: endpoint.name
          properties: {
            privateLinkServiceId: endpoint.serviceId
            groupIds: [endpoint.groupId]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (endpoint, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: endpoint.groupId
          properties: { privateDnsZoneId: zones[i].id }
        }
      ]
    }
  }
]
