import { describe, it } from "vitest";
import { type Breakage, expectBreakageReported } from "./broken-copy.js";
import { codeExpectations } from "./infra-expectations.js";

const breakages: Breakage[] = [
  {
    what: "an app setting the config schema reads",
    file: "main.bicep",
    find: "  BATCHFN_JOBS_CONTAINER: containers.jobs\n",
    replace: "",
    reported: /app setting BATCHFN_JOBS_CONTAINER is not set/,
  },
  {
    what: "a setting host.json names (%BATCHFN_TASK_HUB%)",
    file: "main.bicep",
    find: "  BATCHFN_TASK_HUB: taskHubName\n",
    replace: "",
    reported: /app setting BATCHFN_TASK_HUB is not set/,
  },
  {
    what: "a container",
    file: "main.bicep",
    find: "  containers.outbox\n",
    replace: "",
    reported: /container 'batchfn-outbox' is not created/,
  },
  {
    what: "a table",
    file: "main.bicep",
    find: `  '\${tablePrefix}Jobs'\n`,
    replace: "",
    reported: /table 'batchfnJobs' is not created/,
  },
  {
    what: "a storage role",
    file: "modules/role-assignments.bicep",
    find: "  '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor\n",
    replace: "",
    reported: /no 'Storage Queue Data Contributor' role/,
  },
  {
    what: "the metrics publisher role",
    file: "modules/role-assignments.bicep",
    find: "name: guid(applicationInsights.id, principalId, monitoringMetricsPublisherId)",
    replace: `name: 'metrics-\${principalId}'`,
    reported: /role assignment names must be guid/,
  },
  {
    what: "the ban on shared keys",
    file: "modules/storage.bicep",
    find: "allowSharedKeyAccess: false",
    replace: "allowSharedKeyAccess: true",
    reported: /allowSharedKeyAccess/,
  },
  {
    what: "the BlobCreated filter of the inbox subscription",
    file: "inbox-subscription.bicep",
    find: "      includedEventTypes: ['Microsoft.Storage.BlobCreated']\n",
    replace: "",
    reported: /must include Microsoft\.Storage\.BlobCreated/,
  },
  {
    what: "the blob trigger the webhook names",
    file: "inbox-subscription.bicep",
    find: "param functionName string = 'inboxJob'",
    replace: "param functionName string = 'inbox'",
    reported: /must deliver to the blob trigger webhook/,
  },
  {
    what: "the always-ready durable group",
    file: "modules/function-app.bicep",
    find: "name: 'durable'",
    replace: "name: 'http'",
    reported: /alwaysReady must include the 'durable' group/,
  },
  {
    what: "a misspelt setting",
    file: "main.bicep",
    find: "BATCHFN_TABLE_PREFIX: tablePrefix",
    replace: "BATCHFN_TABLES_PREFIX: tablePrefix",
    reported: /BATCHFN_TABLES_PREFIX is not read by batchfn/,
  },
];

describe("the infra checks on a deliberately broken copy", () => {
  const expectations = codeExpectations();

  it.each(breakages)("report a removed or changed $what", (breakage) =>
    expectBreakageReported(breakage, expectations));
});
