// `hosting: 'flex'`: the Flex Consumption plan (FC1) and the Linux Function App running batchfn on
// Node `nodeVersion`: the package comes from a blob container read with the managed identity,
// storage is reached with the identity (AzureWebJobsStorage__*), the app joins the app subnet when
// the network is private, and every other setting comes in as `settings`.
@description('Name of the Function App.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object = {}

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Storage account of the app.')
param storageAccountName string

@description('Container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights component receiving telemetry.')
param applicationInsightsName string

@minValue(1)
@maxValue(1000)
@description('The scale-out limit.')
param maximumInstanceCount int

@allowed([512, 2048, 4096])
@description('Memory of one instance in MB.')
param instanceMemoryMB int

@minValue(0)
@description('Always-ready instances of the durable group.')
param alwaysReadyDurableInstances int

@description('Node.js major version of the worker.')
param nodeVersion string

@description('Integrate the app with `subnetId` (private network).')
param privateNetwork bool = false

@description('Subnet the app is integrated with when the network is private.')
param subnetId string = ''

@secure()
@description('The app settings besides AzureWebJobsStorage__* and Application Insights (BATCHFN_*, the Durable backend); secure because BATCHFN_ADMIN_KEY is a secret.')
param settings object

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${name}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: privateNetwork ? subnetId : null
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyDurableInstances > 0
          ? [
              {
                name: 'durable'
                instanceCount: alwaysReadyDurableInstances
              }
            ]
          : []
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(settings, {
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  })
}

@description('Name of the Function App.')
output name string = app.name

@description('Default host name (<name>.azurewebsites.net, or a unique one where the region assigns it).')
output defaultHostName string = app.properties.defaultHostName
