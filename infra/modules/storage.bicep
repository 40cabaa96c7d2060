// The app's one storage account: the Functions host, Durable Functions' task hub (blob, queue and
// table, with the Azure Storage backend) and batchfn's containers and tables. Shared keys are off:
// every client uses Entra ID. On a private network public access is off too: the app reaches the
// account through its private endpoints.
@description('Storage account name.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object = {}

@description('Blob containers to create.')
param containerNames array

@description('Tables to create.')
param tableNames array

@description('Refuse every request from outside the virtual network (private endpoints only).')
param privateNetwork bool = false

@description('Blob prefix (container/path/) of staged artifact uploads, deleted after a day when never committed.')
param uploadsPrefix string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: privateNetwork ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateNetwork ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: { publicAccess: 'None' }
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-uncommitted-uploads'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: [uploadsPrefix]
            }
            actions: {
              baseBlob: { delete: { daysAfterModificationGreaterThan: 1 } }
            }
          }
        }
      ]
    }
  }
}

@description('Storage account name.')
output name string = storage.name

@description('Resource id (private endpoints).')
output id string = storage.id
