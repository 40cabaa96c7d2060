// The virtual network of `network: 'private'`: one subnet the app runs in (delegated to
// Microsoft.App/environments, which both Flex Consumption VNet integration and a Container Apps
// workload-profiles environment require) and one subnet holding the private endpoints.
@description('Name of the virtual network.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object = {}

@description('Address space of the network; the app subnet takes the first /24, the endpoints the second.')
param addressPrefix string = '10.40.0.0/16'

@description('App subnet (at least /27 for Container Apps, /28 for Flex Consumption).')
param appSubnetPrefix string = '10.40.0.0/24'

@description('Private endpoint subnet.')
param endpointSubnetPrefix string = '10.40.1.0/24'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [addressPrefix] }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          delegations: [
            {
              name: 'app-environment'
              properties: { serviceName: 'Microsoft.App/environments' }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: endpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

@description('Resource id of the network (private DNS zone links).')
output id string = vnet.id

@description('Subnet the app runs in.')
output appSubnetId string = '${vnet.id}/subnets/app'

@description('Subnet of the private endpoints.')
output endpointSubnetId string = '${vnet.id}/subnets/private-endpoints'
