import { type DeployedResource, field, show } from "./bicep-values.js";
import type { Combination } from "./combinations.js";

export interface NetworkInput {
  combination: Combination;
  app: DeployedResource;
  storage: DeployedResource;
  declared: DeployedResource[];
}

/** Private endpoint sub-resources the app needs, and the DNS zone each one's names live in. */
const ZONES: Record<string, RegExp> = {
  blob: /^privatelink\.blob\./,
  queue: /^privatelink\.queue\./,
  table: /^privatelink\.table\./,
  scheduler: /^privatelink\.durabletask\.io$/,
};

/**
 * `private`: a virtual network with a subnet delegated to Microsoft.App/environments that the app
 * runs in; one private endpoint per storage service Durable and batchfn use (blob, queue, table)
 * and for the scheduler when it is the backend, each registered in its privatelink DNS zone linked
 * to the network; the storage account refusing public traffic. `public`: none of it.
 */
export function checkNetwork(input: NetworkInput, problems: string[]): void {
  const { combination, app, storage, declared } = input;
  const of = (type: string) => declared.filter((r) => r.type === type);
  const vnets = of("Microsoft.Network/virtualNetworks");
  const endpoints = of("Microsoft.Network/privateEndpoints");
  const zones = of("Microsoft.Network/privateDnsZones");
  const storageProps = storage.body.properties;
  const appSubnet = appSubnetOf(app, declared);
  if (combination.network === "public") {
    if (vnets.length + endpoints.length + zones.length > 0) {
      problems.push(
        "a public deployment must declare no virtual network, private endpoint or private DNS zone",
      );
    }
    if (appSubnet !== undefined) problems.push("a public deployment must not put the app in a subnet");
    if (field(storageProps, "publicNetworkAccess") !== "Enabled") {
      problems.push("a public deployment needs the storage account's publicNetworkAccess Enabled");
    }
    return;
  }
  const [vnet] = vnets;
  if (!vnet || vnets.length > 1) {
    problems.push(`a private deployment needs one virtual network, found ${vnets.length}`);
    return;
  }
  const subnets = field(vnet.body.properties, "subnets");
  const delegated = (Array.isArray(subnets) ? subnets : []).filter((subnet) => {
    const delegations = field(field(subnet, "properties"), "delegations");
    return (
      Array.isArray(delegations) &&
      delegations.some((d) => field(field(d, "properties"), "serviceName") === "Microsoft.App/environments")
    );
  });
  const appSubnetNames = delegated.map((subnet) => `${vnet.key}.id⟩/subnets/${show(field(subnet, "name"))}`);
  if (appSubnet === undefined || !appSubnetNames.some((name) => appSubnet.endsWith(name))) {
    problems.push(
      `the app must run in the network's subnet delegated to Microsoft.App/environments, got ${appSubnet ?? "none"}`,
    );
  }
  if (field(storageProps, "publicNetworkAccess") !== "Disabled") {
    problems.push("a private deployment needs the storage account's publicNetworkAccess Disabled");
  }
  if (field(field(storageProps, "networkAcls"), "defaultAction") !== "Deny") {
    problems.push("a private deployment needs the storage account's networkAcls.defaultAction Deny");
  }
  const scheduler = declared.find((r) => r.type === "Microsoft.DurableTask/schedulers");
  const targets: Array<[string, DeployedResource | undefined]> = [
    ["blob", storage],
    ["queue", storage],
    ["table", storage],
  ];
  if (combination.durableBackend === "durableTaskScheduler") targets.push(["scheduler", scheduler]);
  if (scheduler && field(scheduler.body.properties, "publicNetworkAccess") !== "Disabled") {
    problems.push("a private deployment needs the scheduler's publicNetworkAccess Disabled");
  }
  for (const [groupId, target] of targets) {
    const matching = endpoints.filter((endpoint) => {
      const connections = field(endpoint.body.properties, "privateLinkServiceConnections");
      return (Array.isArray(connections) ? connections : []).some((connection) => {
        const props = field(connection, "properties");
        const groups = field(props, "groupIds");
        return (
          target !== undefined &&
          show(field(props, "privateLinkServiceId")) === `${target.key}.id` &&
          Array.isArray(groups) &&
          groups.length === 1 &&
          groups[0] === groupId
        );
      });
    });
    if (matching.length !== 1) {
      problems.push(
        `a private deployment needs one private endpoint for ${groupId}, found ${matching.length}`,
      );
      continue;
    }
    const [endpoint] = matching;
    if (
      endpoint &&
      !show(field(field(endpoint.body.properties, "subnet"), "id")).startsWith(`⟨${vnet.key}.id⟩/subnets/`)
    ) {
      problems.push(`the ${groupId} private endpoint must take its address from the network's subnet`);
    }
    checkZone(groupId, endpoint, vnet, declared, problems);
  }
}

function checkZone(
  groupId: string,
  endpoint: DeployedResource | undefined,
  vnet: DeployedResource,
  declared: DeployedResource[],
  problems: string[],
): void {
  const pattern = ZONES[groupId];
  const group = declared.find(
    (r) =>
      r.type === "Microsoft.Network/privateEndpoints/privateDnsZoneGroups" &&
      r.fullName.startsWith(`${endpoint?.fullName}/`),
  );
  const configs = field(group?.body.properties, "privateDnsZoneConfigs");
  const zoneIds = (Array.isArray(configs) ? configs : []).map((c) =>
    show(field(field(c, "properties"), "privateDnsZoneId")),
  );
  const zone = declared.find(
    (r) =>
      r.type === "Microsoft.Network/privateDnsZones" &&
      zoneIds.includes(`${r.key}.id`) &&
      pattern?.test(r.fullName) === true,
  );
  if (!zone) {
    problems.push(
      `the ${groupId} private endpoint must register in a ${pattern?.source ?? "privatelink"} DNS zone declared here`,
    );
    return;
  }
  const linked = declared.some(
    (r) =>
      r.type === "Microsoft.Network/privateDnsZones/virtualNetworkLinks" &&
      r.fullName.startsWith(`${zone.fullName}/`) &&
      show(field(field(r.body.properties, "virtualNetwork"), "id")) === `${vnet.key}.id`,
  );
  if (!linked) problems.push(`DNS zone ${zone.fullName} must be linked to the virtual network`);
}

/** The subnet id the app runs in: Flex VNet integration, or the Container Apps environment's subnet. */
function appSubnetOf(app: DeployedResource, declared: DeployedResource[]): string | undefined {
  if (app.type === "Microsoft.Web/sites") {
    const subnet = field(app.body.properties, "virtualNetworkSubnetId");
    return subnet === undefined || subnet === null ? undefined : show(subnet);
  }
  const environment = declared.find(
    (r) =>
      r.type === "Microsoft.App/managedEnvironments" &&
      `${r.key}.id` === show(field(app.body.properties, "managedEnvironmentId")),
  );
  const subnet = field(field(environment?.body.properties, "vnetConfiguration"), "infrastructureSubnetId");
  return subnet === undefined || subnet === null ? undefined : show(subnet);
}
