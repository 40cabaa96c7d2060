// The user-assigned managed identity the Function App runs as: storage, deployment package and
// Application Insights are all reached with it, never with keys.
@description('Name of the identity.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id, for the app\'s identity block and the deployment storage authentication.')
output id string = identity.id

@description('Client id, for AzureWebJobsStorage__clientId and the Application Insights authentication string.')
output clientId string = identity.properties.clientId

@description('Object id of the service principal, for role assignments.')
output principalId string = identity.properties.principalId
