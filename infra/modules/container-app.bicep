// `hosting: 'containerapps'`: a Container Apps environment (Consumption workload profile, in the
// app subnet when the network is private) and the app as a Container App of kind functionapp,
// running the image built from the repository's Dockerfile. The image is pulled with the app's
// identity; storage, the scheduler and Application Insights are reached with it too.
@description('Name of the container app.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object = {}

@description('Resource id of the user-assigned identity the app runs as and pulls its image with.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Storage account of the app.')
param storageAccountName string

@description('Application Insights component receiving telemetry.')
param applicationInsightsName string

@description('Container image, e.g. <registry>.azurecr.io/batchfn:1.')
param image string

@description('Login server of the registry the image is pulled from.')
param registryServer string

@description('Put the environment in `subnetId` (private network).')
param privateNetwork bool = false

@description('Subnet of the environment when the network is private.')
param subnetId string = ''

@description('Log Analytics workspace receiving the environment\'s console and system logs.')
param workspaceName string

@minValue(0)
@description('Replicas kept running (the caller keeps it at 1 or more with the Azure Storage backend).')
param minReplicas int

@minValue(1)
@maxValue(1000)
@description('The scale-out limit.')
param maxReplicas int

@description('vCPU of one replica (Consumption profile: 0.25-4, memory is twice this in GiB).')
param cpu string = '2.0'

@description('Memory of one replica.')
param memory string = '4Gi'

@description('KEDA scale rules beyond HTTP (the Durable Task Scheduler\'s work items).')
param scaleRules array = []

@description('The app settings besides AzureWebJobsStorage__* and Application Insights (BATCHFN_*, the Durable backend), as environment variables.')
param settings object

@secure()
@description('Settings passed as Container App secrets: name → value (BATCHFN_ADMIN_KEY).')
param secretSettings object

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Loops over parameters only (Bicep needs a loop's values at the start of the deployment); the
// settings naming other resources' properties are listed as they are in `env` below.
var plainEnv = [
  for setting in items(settings): {
    name: setting.key
    value: setting.value
  }
]
var secretNames = [for secret in items(secretSettings): toLower(replace(secret.key, '_', '-'))]
var secretEnv = [
  for (secret, i) in items(secretSettings): {
    name: secret.key
    secretRef: secretNames[i]
  }
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource managedEnvironment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: 'cae-${name}'
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: { destination: 'azure-monitor' }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
    vnetConfiguration: privateNetwork
      ? {
          infrastructureSubnetId: subnetId
          internal: false
        }
      : null
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs'
  scope: managedEnvironment
  properties: {
    workspaceId: workspace.id
    logs: [{ categoryGroup: 'allLogs', enabled: true }]
  }
}

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: managedEnvironment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 80
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      secrets: [
        for (secret, i) in items(secretSettings): {
          name: secretNames[i]
          value: secret.value
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'batchfn'
          image: image
          env: concat(plainEnv, secretEnv, [
            { name: 'AzureWebJobsStorage__accountName', value: storage.name }
            { name: 'AzureWebJobsStorage__blobServiceUri', value: storage.properties.primaryEndpoints.blob }
            { name: 'AzureWebJobsStorage__queueServiceUri', value: storage.properties.primaryEndpoints.queue }
            { name: 'AzureWebJobsStorage__tableServiceUri', value: storage.properties.primaryEndpoints.table }
            { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
            { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
            { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsights.properties.ConnectionString }
            { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
            { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' }
          ])
          resources: {
            cpu: json(cpu)
            memory: memory
          }
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: concat(
          [
            {
              name: 'http'
              http: { metadata: { concurrentRequests: '50' } }
            }
          ],
          scaleRules
        )
      }
    }
  }
}

@description('Name of the container app.')
output name string = app.name

@description('Host name of the app (https://<fqdn>).')
output defaultHostName string = app.properties.configuration.ingress.fqdn
