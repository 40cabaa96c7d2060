// batchfn on Azure, stage 1: identity, storage, monitoring, roles, the Flex Consumption Function
// App and the Event Grid system topic of the storage account. Stage 2 (inbox-subscription.bicep)
// subscribes the inbox blob trigger to that topic once the app is published.
targetScope = 'resourceGroup'

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

@description('Tags on every resource.')
param tags object = { app: 'batchfn' }

var containerNames = [
  deploymentContainerName
  containers.data
  containers.artifacts
  containers.inbox
  containers.outbox
  containers.jobs
]
var tableNames = [
  '${tablePrefix}Endpoints'
  '${tablePrefix}Deployments'
  '${tablePrefix}Models'
  '${tablePrefix}Data'
  '${tablePrefix}Datastores'
  '${tablePrefix}EndpointKeys'
  '${tablePrefix}Jobs'
]

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

module functionApp 'modules/function-app.bicep' = {
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
    batchfnSettings: {
      BATCHFN_TASK_HUB: taskHubName
      BATCHFN_DATA_CONTAINER: containers.data
      BATCHFN_ARTIFACTS_CONTAINER: containers.artifacts
      BATCHFN_INBOX_CONTAINER: containers.inbox
      BATCHFN_OUTBOX_CONTAINER: containers.outbox
      BATCHFN_JOBS_CONTAINER: containers.jobs
      BATCHFN_TABLE_PREFIX: tablePrefix
      BATCHFN_INBOX_SOURCE: 'EventGrid'
      BATCHFN_ALLOW_PRIVATE_URL_INPUTS: allowPrivateUrlInputs ? 'true' : 'false'
      BATCHFN_AUTH_ISSUER: empty(authAudience) ? '' : authIssuer
      BATCHFN_AUTH_AUDIENCE: authAudience
      BATCHFN_AUTH_JWKS_URL: empty(authAudience) ? '' : authJwksUrl
      BATCHFN_ADMIN_KEY: adminKey
    }
  }
  dependsOn: [appRoles]
}

module inboxTopic 'modules/inbox-topic.bicep' = {
  name: 'inbox-topic'
  params: {
    name: 'evgt-${storageAccountName}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
  }
}

@description('Name of the Function App (func azure functionapp publish <appName>).')
output appName string = functionApp.outputs.name

@description('Host name of the app; stage 2 and the CLI use https://<appHostName>.')
output appHostName string = functionApp.outputs.defaultHostName

@description('The storage account holding data, artifacts, inbox, outbox and jobs.')
output storageAccountName string = storage.outputs.name

@description('Event Grid system topic of the storage account (stage 2 subscribes to it).')
output inboxTopicName string = inboxTopic.outputs.name

@description('Container whose new blobs start jobs.')
output inboxContainer string = containers.inbox

@description('Container of the data behind the workspaceblobstore datastore.')
output dataContainer string = containers.data
