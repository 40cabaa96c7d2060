// The Durable Task Scheduler backend (`durableBackend: 'durableTaskScheduler'`): the scheduler, the
// app's task hub, and Durable Task Data Contributor for the app's identity on that task hub only.
// Data Contributor rather than Durable Task Worker: besides running orchestrations and activities
// the app is a Durable client (it starts, queries, terminates and purges job orchestrations).
@description('Name of the scheduler.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object = {}

@allowed(['Consumption', 'Dedicated'])
@description('Consumption: billed per dispatched work item; Dedicated: fixed capacity units.')
param skuName string

@description('Task hub name (the app setting BATCHFN_TASK_HUB names the same hub).')
param taskHubName string

@description('Object id of the app\'s identity.')
param principalId string

@description('Private network: no public access, reached through a private endpoint only.')
param privateNetwork bool

var durableTaskDataContributorId = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

resource scheduler 'Microsoft.DurableTask/schedulers@2026-02-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: { name: skuName }
    // An empty list refuses every caller; identity (RBAC) is what guards the public endpoint.
    ipAllowlist: privateNetwork ? [] : ['0.0.0.0/0']
    publicNetworkAccess: privateNetwork ? 'Disabled' : 'Enabled'
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2026-02-01' = {
  parent: scheduler
  name: taskHubName
}

resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskHub.id, principalId, durableTaskDataContributorId)
  scope: taskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributorId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Resource id of the scheduler (its private endpoint).')
output id string = scheduler.id

@description('https:// endpoint of the scheduler, for the connection string.')
output endpoint string = scheduler.properties.endpoint

@description('Name of the task hub.')
output taskHubName string = taskHub.name
