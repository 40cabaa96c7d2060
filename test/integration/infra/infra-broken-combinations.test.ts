import { describe, it } from "vitest";
import { type Breakage, expectBreakageReported } from "./broken-copy.js";
import type { Combination } from "./combinations.js";
import { codeExpectations } from "./infra-expectations.js";

// Breaks each caught in the combination it concerns: hosting, Durable backend, network, roles.
const flexPrivate: Combination = { hosting: "flex", durableBackend: "azureStorage", network: "private" };
const flexScheduler: Combination = {
  hosting: "flex",
  durableBackend: "durableTaskScheduler",
  network: "public",
};
const flexSchedulerPrivate: Combination = { ...flexScheduler, network: "private" };
const appsStorage: Combination = {
  hosting: "containerapps",
  durableBackend: "azureStorage",
  network: "public",
};
const appsScheduler: Combination = { ...appsStorage, durableBackend: "durableTaskScheduler" };
const appsSchedulerPrivate: Combination = { ...appsScheduler, network: "private" };

const breakages: Breakage[] = [
  {
    what: "the Node.js line (back to Node 20, past its end of life)",
    file: "main.bicep",
    find: "var nodeVersion = '22'",
    replace: "var nodeVersion = '20'",
    reported: /functionAppConfig\.runtime must be node 22, got 20/,
  },
  {
    what: "the queue private endpoint",
    file: "main.bicep",
    find: "          groupId: 'queue'\n",
    replace: "          groupId: 'file'\n",
    reported: /one private endpoint for queue, found 0/,
    combination: flexPrivate,
  },
  {
    what: "the scheduler private endpoint",
    file: "main.bicep",
    find: "              groupId: 'scheduler'\n",
    replace: "              groupId: 'blob'\n",
    reported: /one private endpoint for scheduler, found 0/,
    combination: appsSchedulerPrivate,
  },
  {
    what: "storage public access off on a private network",
    file: "modules/storage.bicep",
    find: "publicNetworkAccess: privateNetwork ? 'Disabled' : 'Enabled'",
    replace: "publicNetworkAccess: 'Enabled'",
    reported: /publicNetworkAccess Disabled/,
    combination: flexPrivate,
  },
  {
    what: "the DNS zones' link to the network",
    file: "modules/private-endpoints.bicep",
    find: "      virtualNetwork: { id: virtualNetworkId }\n",
    replace: "      virtualNetwork: { id: subnetId }\n",
    reported: /DNS zone privatelink\.blob\..* must be linked to the virtual network/,
    combination: flexPrivate,
  },
  {
    what: "VNet integration of the Flex app",
    file: "modules/function-app.bicep",
    find: "virtualNetworkSubnetId: privateNetwork ? subnetId : null",
    replace: "virtualNetworkSubnetId: null",
    reported: /the app must run in the network's subnet delegated to Microsoft\.App\/environments/,
    combination: flexSchedulerPrivate,
  },
  {
    what: "private endpoints on a public network",
    file: "main.bicep",
    find: "module privateEndpoints 'modules/private-endpoints.bicep' = if (privateNetwork) {",
    replace: "module privateEndpoints 'modules/private-endpoints.bicep' = {",
    reported: /a public deployment must declare no virtual network, private endpoint or private DNS zone/,
  },
  {
    what: "the host.json provider override",
    file: "main.bicep",
    find: "      AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'\n",
    replace: "",
    reported: /storageProvider__type must be 'azureManaged'/,
    combination: appsSchedulerPrivate,
  },
  {
    what: "the identity in the scheduler connection",
    file: "main.bicep",
    find: `;Authentication=ManagedIdentity;ClientID=\${identity.outputs.clientId}'`,
    replace: ";Authentication=ManagedIdentity'",
    reported: /must name a setting holding 'Endpoint=/,
    combination: appsScheduler,
  },
  {
    what: "the task hub BATCHFN_TASK_HUB names",
    file: "modules/durable-task-scheduler.bicep",
    find: "  name: taskHubName\n",
    replace: "  name: 'default'\n",
    reported: /the scheduler must have the task hub BATCHFN_TASK_HUB names \(BatchHub\)/,
    combination: flexScheduler,
  },
  {
    what: "the scheduler's data role (swapped for Contributor)",
    file: "modules/durable-task-scheduler.bicep",
    find: "var durableTaskDataContributorId = '0ad04412-c4d5-4796-b79c-f76d14c8d402'",
    replace: "var durableTaskDataContributorId = 'b24988ac-6180-42a0-ab88-20f33587e8f5'",
    reported:
      /must not hold 'b24988ac-6180-42a0-ab88-20f33587e8f5'[\s\S]*|no 'Durable Task Data Contributor' role/,
    combination: flexScheduler,
  },
  {
    what: "the scope of the registry pull role (widened to the resource group)",
    file: "modules/container-registry.bicep",
    find: "  scope: registry\n",
    replace: "",
    reported: /must not hold 'AcrPull' on the resource group/,
    combination: appsStorage,
  },
  {
    what: "the scheduler role on an Azure Storage deployment",
    file: "main.bicep",
    find: "module scheduler 'modules/durable-task-scheduler.bicep' = if (useScheduler) {",
    replace: "module scheduler 'modules/durable-task-scheduler.bicep' = {",
    reported: /must not hold 'Durable Task Data Contributor'/,
    combination: appsStorage,
  },
  {
    what: "the replica floor of a Container App on Azure Storage",
    file: "main.bicep",
    find: "minReplicas: !useScheduler && minimumReplicas < 1 ? 1 : minimumReplicas",
    replace: "minReplicas: minimumReplicas",
    reported: /must keep at least 1 replica with the Azure Storage backend, got minReplicas 0/,
    combination: appsStorage,
  },
  {
    what: "the scheduler's scale rules",
    file: "main.bicep",
    find: "    scaleRules: useScheduler\n",
    replace: "    scaleRules: false\n",
    reported: /needs a scale rule on the scheduler's Orchestration work items/,
    combination: appsScheduler,
  },
  {
    what: "scale rules that disagree with host.json",
    file: "main.bicep",
    find: "                maxConcurrentWorkItemsCount: '8'\n",
    replace: "                maxConcurrentWorkItemsCount: '16'\n",
    reported: /scheduler's Activity work items \(the app's identity, its task hub, 8 per replica/,
    combination: appsScheduler,
  },
  {
    what: "the replica ceiling parameter",
    file: "main.bicep",
    find: "    maxReplicas: maximumReplicas\n",
    replace: "    maxReplicas: 10\n",
    reported: /scale\.maxReplicas must be the maximumReplicas parameter/,
    combination: appsStorage,
  },
  {
    what: "the registry pull by identity",
    file: "modules/container-app.bicep",
    find: "          server: registryServer\n          identity: identityId\n",
    replace: "          server: registryServer\n",
    reported: /the image must be pulled from the registry declared here with the app's identity/,
    combination: appsStorage,
  },
  {
    what: "the registry's admin user",
    file: "modules/container-registry.bicep",
    find: "adminUserEnabled: false",
    replace: "adminUserEnabled: true",
    reported: /the registry must have no admin user and no anonymous pull/,
    combination: appsScheduler,
  },
  {
    what: "the inbox source of a Container App",
    file: "main.bicep",
    find: "BATCHFN_INBOX_SOURCE: hosting == 'flex' ? 'EventGrid' : 'LogsAndContainerScan'",
    replace: "BATCHFN_INBOX_SOURCE: 'EventGrid'",
    reported: /BATCHFN_INBOX_SOURCE must be 'LogsAndContainerScan', got 'EventGrid'/,
    combination: appsStorage,
  },
  {
    what: "the Flex-only Event Grid topic on Container Apps",
    file: "main.bicep",
    find: "module inboxTopic 'modules/inbox-topic.bicep' = if (hosting == 'flex') {",
    replace: "module inboxTopic 'modules/inbox-topic.bicep' = {",
    reported: /Microsoft\.EventGrid\/systemTopics does not belong to hosting 'containerapps'/,
    combination: appsStorage,
  },
];

describe("the combination checks on a deliberately broken copy", () => {
  const expectations = codeExpectations();

  it.each(breakages)("report a removed or changed $what", (breakage) =>
    expectBreakageReported(breakage, expectations));
});
