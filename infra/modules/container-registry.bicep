// The registry holding batchfn's image for `hosting: 'containerapps'` (built from the repository's
// Dockerfile with `az acr build`). No admin user and no anonymous pull: the app pulls with its
// identity (AcrPull, on this registry only).
@description('Globally unique registry name: 5-50 letters and digits.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object = {}

@description('Object id of the identity that pulls the image.')
param pullPrincipalId string

var acrPullId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
  }
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, pullPrincipalId, acrPullId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullId)
    principalId: pullPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Registry name (az acr build --registry).')
output name string = registry.name

@description('Login server (<name>.azurecr.io), the image prefix.')
output loginServer string = registry.properties.loginServer
