// batchfn on Azure, stage 2 (after the app is published): Event Grid delivers every blob created
// under the inbox container to the app's blob trigger `inboxJob` (BATCHFN_INBOX_SOURCE=EventGrid).
// The webhook needs the app's blobs_extension system key, which exists only once the app runs:
//   az functionapp keys list -g <rg> -n <app> --query systemKeys.blobs_extension -o tsv
// Parameter names are those of main.bicep's outputs.
targetScope = 'resourceGroup'

@description('Host name of the Function App (main.bicep output appHostName).')
param appHostName string

@description('Event Grid system topic of the storage account (main.bicep output inboxTopicName).')
param inboxTopicName string

@description('Container whose new blobs start jobs (main.bicep output inboxContainer).')
param inboxContainer string

@secure()
@description('The app\'s blobs_extension system key.')
param blobsExtensionKey string

@description('Name of the blob trigger function in functions/inbox.ts.')
param functionName string = 'inboxJob'

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: inboxTopicName
}

resource inboxSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: 'inbox-blob-created'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${appHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: ['Microsoft.Storage.BlobCreated']
      subjectBeginsWith: '/blobServices/default/containers/${inboxContainer}/blobs/'
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

@description('Name of the event subscription.')
output subscriptionName string = inboxSubscription.name
