// batchfn on Azure, stage 1: identity, storage, monitoring, roles and the app, in one of two
// hostings (`hosting`), with one of two Durable backends (`durableBackend`), on a public or a
// private network (`network`); every combination runs the same app package or image. On Flex
// Consumption an Event Grid system topic carries inbox blobs; stage 2 (inbox-subscription.bicep)
// subscribes the inbox blob trigger to it once the app is published.
targetScope = 'resourceGroup'

@allowed(['flex', 'containerapps'])
@description('flex: Flex Consumption Function App (zip package). containerapps: Container App of kind functionapp running the image built from the Dockerfile.')
param hosting string = 'flex'

@allowed(['azureStorage', 'durableTaskScheduler'])
@description('Where Durable Functions keeps orchestration state: the storage account (queues, tables, blobs) or a Durable Task Scheduler task hub.')
param durableBackend string = 'azureStorage'

@allowed(['public', 'private'])
@description('private: a virtual network, the app integrated with it, private endpoints for blob, queue, table (and the scheduler), storage public access off.')
param network string = 'public'

@description('Region of every resource; it must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@minLength(3)
@maxLength(16)
@description('Lowercase letters, digits and hyphens; the start of every resource name.')
param baseName string = 'batchfn'

@description('Globally unique name of the Function App (<name>.azurewebsites.net).')
param appName string = '${baseName}-${uniqueString(resourceGroup().id)}'

@minLength(3)
@maxLength(24)
@description('Globally unique storage account name: 3-24 lowercase letters and digits.')
param storageAccountName string = take('st${replace(baseName, '-', '')}${uniqueString(resourceGroup().id)}', 24)

@minValue(1)
@maxValue(1000)
@description('The scale-out limit: at most this many instances run the app at once.')
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
@description('Memory of one instance in MB (2048: about 1 vCPU, 4096: about 2 vCPU).')
param instanceMemoryMB int = 2048

@minValue(0)
@description('Instances kept warm for the durable group (orchestrations and activities); billed while idle.')
param alwaysReadyDurableInstances int = 1

@description('Durable Functions task hub (host.json reads it as %BATCHFN_TASK_HUB%); unique per app sharing the account.')
param taskHubName string = 'BatchHub'

@description('Prefix of the registry and job tables (<prefix>Endpoints, <prefix>Jobs, ...).')
param tablePrefix string = 'batchfn'

@description('Blob containers batchfn uses; the defaults are those of src/config.ts.')
param containers object = {
  data: 'batchfn-data'
  artifacts: 'batchfn-artifacts'
  inbox: 'batchfn-inbox'
  outbox: 'batchfn-outbox'
  jobs: 'batchfn-jobs'
}

@description('The Python interpreter of Python scoring scripts (BATCHFN_PYTHON). Empty: the container image\'s (/opt/batchfn/python/bin/python3, see Dockerfile) on Container Apps, python3 on Flex Consumption, whose Node worker has none (the app then reports the Python runtime unavailable and refuses .py deployments).')
param pythonInterpreter string = ''

@description('Container holding the deployment package of the Flex Consumption app.')
param deploymentContainerName string = 'deployment-package'

@description('Object id of the deploying user, who gets the same data roles as the app (uploads, debugging). Empty: none.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
@description('Kind of principal principalId names.')
param principalType string = 'User'

@description('Accepted audiences of Entra ID tokens, comma-separated: the application (client) id of the batchfn app registration and its api:// URI. Empty: no token authentication (issuer and JWKS URL are left unset too).')
param authAudience string = ''

@description('Entra ID token issuer(s), comma-separated (v2.0 tokens of this tenant).')
param authIssuer string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'

@description('Where the issuer publishes its signing keys.')
param authJwksUrl string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/discovery/v2.0/keys'

@secure()
@description('Host admin key accepted on every route (16-256 printable characters). Empty: none.')
param adminKey string = ''

@description('Allow job inputs from http:// and private-network URLs. Keep false in Azure.')
param allowPrivateUrlInputs bool = false

@allowed(['Consumption', 'Dedicated'])
@description('Durable Task Scheduler SKU (durableTaskScheduler only).')
param schedulerSku string = 'Consumption'

@description('Globally unique container registry name (containerapps only): 5-50 letters and digits.')
param containerRegistryName string = take('cr${replace(baseName, '-', '')}${uniqueString(resourceGroup().id)}', 50)

@description('Image the Container App runs (containerapps only), e.g. <registry>.azurecr.io/batchfn:1. Empty: the bare Azure Functions Node image, until the first `az acr build`.')
param containerImage string = ''

@minValue(0)
@description('Replicas kept running (containerapps). With the Azure Storage backend at least 1 is kept whatever this says.')
param minimumReplicas int = 1

@minValue(1)
@maxValue(1000)
@description('The scale-out limit of the Container App (containerapps).')
param maximumReplicas int = 40

@description('vCPU of one replica (containerapps; memory is twice this in GiB).')
param replicaCpu string = '2.0'

@description('Memory of one replica (containerapps).')
param replicaMemory string = '4Gi'

@description('Address space of the virtual network (private only).')
param vnetAddressPrefix string = '10.40.0.0/16'

@description('Tags on every resource.')
param tags object = { app: 'batchfn' }

// The Node.js line the app runs on: the Flex runtime version here, the base image in the Dockerfile.
var nodeVersion = '22'
var privateNetwork = network == 'private'
var useScheduler = durableBackend == 'durableTaskScheduler'

var containerNames = concat(hosting == 'flex' ? [deploymentContainerName] : [], [
  containers.data
  containers.artifacts
  containers.inbox
  containers.outbox
  containers.jobs
])
var tableNames = [
  '${tablePrefix}Endpoints'
  '${tablePrefix}Deployments'
  '${tablePrefix}Models'
  '${tablePrefix}Data'
  '${tablePrefix}Datastores'
  '${tablePrefix}EndpointKeys'
  '${tablePrefix}Computes'
  '${tablePrefix}Jobs'
]

var batchfnSettings = {
  BATCHFN_TASK_HUB: taskHubName
  BATCHFN_DATA_CONTAINER: containers.data
  BATCHFN_ARTIFACTS_CONTAINER: containers.artifacts
  BATCHFN_INBOX_CONTAINER: containers.inbox
  BATCHFN_OUTBOX_CONTAINER: containers.outbox
  BATCHFN_JOBS_CONTAINER: containers.jobs
  BATCHFN_TABLE_PREFIX: tablePrefix
  // Scoring workers per instance: one per 256 MiB of a Flex instance, whose share of cores and memory
  // is not what the OS reports. Empty: the app derives it from its cores and its container's memory.
  BATCHFN_MAX_CONCURRENCY_PER_INSTANCE: hosting == 'flex'
    ? (instanceMemoryMB == 4096 ? '16' : instanceMemoryMB == 2048 ? '8' : '2')
    : ''
  // Memory per scoring worker (worker_memory_mb's default): on Flex the instance's share, 256 MiB a
  // worker as above, since the OS reports the host's memory. Empty: a quarter of the container's.
  BATCHFN_WORKER_MEMORY_MB: hosting == 'flex' ? '256' : ''
  // A mini-batch's output up to this many bytes travels in its outcome (the orchestration's history)
  // and is staged with its range's, instead of as a block of its own. Empty: 1024; 0 turns it off.
  BATCHFN_INLINE_OUTPUT_BYTES: ''
  // Flex Consumption has no container scan: inbox blobs come from Event Grid. A Container App runs
  // the host's own scan of the inbox container.
  BATCHFN_INBOX_SOURCE: hosting == 'flex' ? 'EventGrid' : 'LogsAndContainerScan'
  BATCHFN_ALLOW_PRIVATE_URL_INPUTS: allowPrivateUrlInputs ? 'true' : 'false'
  BATCHFN_PYTHON: !empty(pythonInterpreter)
    ? pythonInterpreter
    : (hosting == 'flex' ? 'python3' : '/opt/batchfn/python/bin/python3')
  BATCHFN_AUTH_ISSUER: empty(authAudience) ? '' : authIssuer
  BATCHFN_AUTH_AUDIENCE: authAudience
  BATCHFN_AUTH_JWKS_URL: empty(authAudience) ? '' : authJwksUrl
}
// host.json says `"storageProvider": { "type": "AzureStorage" }`; these settings override it at
// deployment (AzureFunctionsJobHost__<path>), so one package serves both backends.
var schedulerName = 'dts-${appName}'
var durableSettings = useScheduler
  ? {
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
      DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${scheduler.outputs.endpoint};Authentication=ManagedIdentity;ClientID=${identity.outputs.clientId}'
    }
  : {}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${appName}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    baseName: appName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    containerNames: containerNames
    tableNames: tableNames
    uploadsPrefix: '${containers.artifacts}/uploads/'
    privateNetwork: privateNetwork
  }
}

module vnet 'modules/network.bicep' = if (privateNetwork) {
  name: 'network'
  params: {
    name: 'vnet-${appName}'
    location: location
    tags: tags
    addressPrefix: vnetAddressPrefix
    appSubnetPrefix: cidrSubnet(vnetAddressPrefix, 24, 0)
    endpointSubnetPrefix: cidrSubnet(vnetAddressPrefix, 24, 1)
  }
}

module scheduler 'modules/durable-task-scheduler.bicep' = if (useScheduler) {
  name: 'durable-task-scheduler'
  params: {
    name: schedulerName
    location: location
    tags: tags
    skuName: schedulerSku
    taskHubName: taskHubName
    principalId: identity.outputs.principalId
    privateNetwork: privateNetwork
  }
}

module privateEndpoints 'modules/private-endpoints.bicep' = if (privateNetwork) {
  name: 'private-endpoints'
  params: {
    location: location
    tags: tags
    virtualNetworkId: vnet.outputs.id
    subnetId: vnet.outputs.endpointSubnetId
    endpoints: concat(
      [
        {
          name: 'pe-${storageAccountName}-blob'
          serviceId: storage.outputs.id
          groupId: 'blob'
          zone: 'privatelink.blob.${environment().suffixes.storage}'
        }
        {
          name: 'pe-${storageAccountName}-queue'
          serviceId: storage.outputs.id
          groupId: 'queue'
          zone: 'privatelink.queue.${environment().suffixes.storage}'
        }
        {
          name: 'pe-${storageAccountName}-table'
          serviceId: storage.outputs.id
          groupId: 'table'
          zone: 'privatelink.table.${environment().suffixes.storage}'
        }
      ],
      useScheduler
        ? [
            {
              name: 'pe-${schedulerName}'
              serviceId: scheduler.outputs.id
              groupId: 'scheduler'
              zone: 'privatelink.durabletask.io'
            }
          ]
        : []
    )
  }
}

module registry 'modules/container-registry.bicep' = if (hosting == 'containerapps') {
  name: 'container-registry'
  params: {
    name: containerRegistryName
    location: location
    tags: tags
    pullPrincipalId: identity.outputs.principalId
  }
}

module appRoles 'modules/role-assignments.bicep' = {
  name: 'app-roles'
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
  }
}

module userRoles 'modules/role-assignments.bicep' = if (!empty(principalId)) {
  name: 'user-roles'
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    principalId: principalId
    principalType: principalType
  }
}

module functionApp 'modules/function-app.bicep' = if (hosting == 'flex') {
  name: 'function-app'
  params: {
    name: appName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyDurableInstances: alwaysReadyDurableInstances
    nodeVersion: nodeVersion
    privateNetwork: privateNetwork
    subnetId: privateNetwork ? vnet.outputs.appSubnetId : ''
    settings: union(
      batchfnSettings,
      { BATCHFN_ADMIN_KEY: adminKey },
      durableSettings
    )
  }
  dependsOn: [appRoles, privateEndpoints]
}

module containerApp 'modules/container-app.bicep' = if (hosting == 'containerapps') {
  name: 'container-app'
  params: {
    name: appName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    workspaceName: monitoring.outputs.workspaceName
    image: empty(containerImage) ? 'mcr.microsoft.com/azure-functions/node:4-node${nodeVersion}' : containerImage
    registryServer: registry.outputs.loginServer
    privateNetwork: privateNetwork
    subnetId: privateNetwork ? vnet.outputs.appSubnetId : ''
    // The Azure Storage backend has no scaler that wakes a Container App from zero (its work waits
    // in storage queues nothing watches while no replica runs), so it keeps at least one replica.
    minReplicas: !useScheduler && minimumReplicas < 1 ? 1 : minimumReplicas
    maxReplicas: maximumReplicas
    cpu: replicaCpu
    memory: replicaMemory
    // The scheduler's work items wake the app and scale it out (host.json: at most 4 orchestrator
    // and 8 activity work items per replica).
    scaleRules: useScheduler
      ? [
          {
            name: 'dts-orchestrations'
            custom: {
              type: 'azure-durabletask-scheduler'
              identity: identity.outputs.id
              metadata: {
                endpoint: scheduler.outputs.endpoint
                taskhubName: taskHubName
                workItemType: 'Orchestration'
                maxConcurrentWorkItemsCount: '4'
              }
            }
          }
          {
            name: 'dts-activities'
            custom: {
              type: 'azure-durabletask-scheduler'
              identity: identity.outputs.id
              metadata: {
                endpoint: scheduler.outputs.endpoint
                taskhubName: taskHubName
                workItemType: 'Activity'
                maxConcurrentWorkItemsCount: '8'
              }
            }
          }
        ]
      : []
    settings: union(
      batchfnSettings,
      empty(adminKey) ? { BATCHFN_ADMIN_KEY: '' } : {},
      durableSettings
    )
    secretSettings: empty(adminKey) ? {} : { BATCHFN_ADMIN_KEY: adminKey }
  }
  dependsOn: [appRoles, privateEndpoints]
}

module inboxTopic 'modules/inbox-topic.bicep' = if (hosting == 'flex') {
  name: 'inbox-topic'
  params: {
    name: 'evgt-${storageAccountName}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
  }
}

@description('Name of the Function App or Container App.')
output appName string = hosting == 'flex' ? functionApp.outputs.name : containerApp.outputs.name

@description('Host name of the app; stage 2 and the CLI use https://<appHostName>.')
output appHostName string = hosting == 'flex' ? functionApp.outputs.defaultHostName : containerApp.outputs.defaultHostName

@description('The storage account holding data, artifacts, inbox, outbox and jobs.')
output storageAccountName string = storage.outputs.name

@description('Event Grid system topic of the storage account (stage 2 subscribes to it); empty on Container Apps.')
output inboxTopicName string = hosting == 'flex' ? inboxTopic.outputs.name : ''

@description('Container whose new blobs start jobs.')
output inboxContainer string = containers.inbox

@description('Container of the data behind the workspaceblobstore datastore.')
output dataContainer string = containers.data

@description('Registry to build the image into (az acr build --registry); empty on Flex Consumption.')
output containerRegistryName string = hosting == 'containerapps' ? registry.outputs.name : ''

@description('Durable Task Scheduler endpoint (its dashboard lists the task hub); empty with the Azure Storage backend.')
output schedulerEndpoint string = useScheduler ? scheduler.outputs.endpoint : ''
