// The Event Grid system topic of the storage account. Its subscription to the inbox blob trigger is
// stage 2 (infra/inbox-subscription.bicep): it needs the published app's blobs_extension key.
@description('Name of the system topic.')
param name string

@description('Region (that of the storage account).')
param location string

@description('Tags.')
param tags object = {}

@description('Storage account whose events the topic carries.')
param storageAccountName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

@description('Name of the system topic.')
output name string = topic.name
