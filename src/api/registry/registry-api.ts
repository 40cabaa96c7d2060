import type { Handler } from "../http.js";
import { createArtifactHandlers } from "./artifact-handlers.js";
import { createDataHandlers, createModelHandlers } from "./asset-handlers.js";
import { createComputeHandlers } from "./compute-handlers.js";
import { createDatastoreHandlers } from "./datastore-handlers.js";
import type { RegistryApiDependencies } from "./dependencies.js";
import { createDeploymentHandlers } from "./deployment-handlers.js";
import { createEndpointHandlers } from "./endpoint-handlers.js";
import { createKeyHandlers } from "./key-handlers.js";
import { createRuntimeHandlers } from "./runtime-handlers.js";

/** One HTTP function of the registry API: its name, route (under `/api`), methods and handler. */
export interface RegistryRoute {
  name: string;
  route: string;
  methods: ("GET" | "PUT" | "DELETE" | "POST")[];
  handler: keyof RegistryApi;
  /**
   * The route parameter naming the endpoint the route manages, if any. Every registry route needs
   * an admin credential; with this, the endpoint's own keys are told apart (403, not 401).
   */
  endpointParam?: string;
}

/** Every registry handler, by the key its route names. */
export type RegistryApi = Record<
  | "putEndpoint"
  | "getEndpoint"
  | "deleteEndpoint"
  | "listEndpoints"
  | "endpointCredentials"
  | "regenerateEndpointKeys"
  | "putDeployment"
  | "getDeployment"
  | "deleteDeployment"
  | "listDeployments"
  | "putModel"
  | "getModel"
  | "listModelVersions"
  | "listModels"
  | "putData"
  | "getData"
  | "listDataVersions"
  | "listData"
  | "putDatastore"
  | "getDatastore"
  | "deleteDatastore"
  | "listDatastores"
  | "putCompute"
  | "getCompute"
  | "deleteCompute"
  | "listComputes"
  | "uploadArtifact"
  | "startArtifactUpload"
  | "commitArtifactUpload"
  | "listRuntimes",
  Handler
>;

const ENDPOINT = "batch-endpoints/{name}";
const DEPLOYMENT = `${ENDPOINT}/deployments/{deployment}`;

const route = (
  name: string,
  path: string,
  methods: RegistryRoute["methods"],
  handler: keyof RegistryApi,
): RegistryRoute => ({
  name,
  route: path,
  methods,
  handler,
  ...(path.startsWith(ENDPOINT) ? { endpointParam: "name" } : {}),
});

/** The routes of the registry API (documented in docs/rest.md). */
export const registryRoutes: readonly RegistryRoute[] = [
  route("putBatchEndpoint", ENDPOINT, ["PUT"], "putEndpoint"),
  route("getBatchEndpoint", ENDPOINT, ["GET"], "getEndpoint"),
  route("deleteBatchEndpoint", ENDPOINT, ["DELETE"], "deleteEndpoint"),
  route("listBatchEndpoints", "batch-endpoints", ["GET"], "listEndpoints"),
  route("getBatchEndpointCredentials", `${ENDPOINT}/credentials`, ["GET"], "endpointCredentials"),
  route("listBatchEndpointKeys", `${ENDPOINT}/listkeys`, ["POST"], "endpointCredentials"),
  route("regenerateBatchEndpointKeys", `${ENDPOINT}/regenerate-keys`, ["POST"], "regenerateEndpointKeys"),
  route("putBatchDeployment", DEPLOYMENT, ["PUT"], "putDeployment"),
  route("getBatchDeployment", DEPLOYMENT, ["GET"], "getDeployment"),
  route("deleteBatchDeployment", DEPLOYMENT, ["DELETE"], "deleteDeployment"),
  route("listBatchDeployments", `${ENDPOINT}/deployments`, ["GET"], "listDeployments"),
  route("putModelVersion", "models/{name}/versions/{version}", ["PUT"], "putModel"),
  route("getModelVersion", "models/{name}/versions/{version}", ["GET"], "getModel"),
  route("listModelVersions", "models/{name}/versions", ["GET"], "listModelVersions"),
  route("listModels", "models", ["GET"], "listModels"),
  route("putDataVersion", "data/{name}/versions/{version}", ["PUT"], "putData"),
  route("getDataVersion", "data/{name}/versions/{version}", ["GET"], "getData"),
  route("listDataVersions", "data/{name}/versions", ["GET"], "listDataVersions"),
  route("listData", "data", ["GET"], "listData"),
  route("putDatastore", "datastores/{name}", ["PUT"], "putDatastore"),
  route("getDatastore", "datastores/{name}", ["GET"], "getDatastore"),
  route("deleteDatastore", "datastores/{name}", ["DELETE"], "deleteDatastore"),
  route("listDatastores", "datastores", ["GET"], "listDatastores"),
  route("putCompute", "computes/{name}", ["PUT"], "putCompute"),
  route("getCompute", "computes/{name}", ["GET"], "getCompute"),
  route("deleteCompute", "computes/{name}", ["DELETE"], "deleteCompute"),
  route("listComputes", "computes", ["GET"], "listComputes"),
  route("uploadArtifact", "artifacts", ["POST"], "uploadArtifact"),
  route("startArtifactUpload", "artifact-uploads", ["POST"], "startArtifactUpload"),
  route("commitArtifactUpload", "artifact-uploads/{uploadId}/commit", ["POST"], "commitArtifactUpload"),
  route("listRuntimes", "runtimes", ["GET"], "listRuntimes"),
];

/** Builds every registry handler from its dependencies. */
export function createRegistryApi(deps: RegistryApiDependencies): RegistryApi {
  const endpoints = createEndpointHandlers(deps);
  const deployments = createDeploymentHandlers(deps);
  const models = createModelHandlers(deps);
  const data = createDataHandlers(deps);
  const datastores = createDatastoreHandlers(deps);
  const computes = createComputeHandlers(deps);
  const artifacts = createArtifactHandlers(deps);
  const keys = createKeyHandlers(deps);
  const runtimes = createRuntimeHandlers(deps);
  return {
    putEndpoint: endpoints.put,
    getEndpoint: endpoints.get,
    deleteEndpoint: endpoints.delete,
    listEndpoints: endpoints.list,
    endpointCredentials: keys.credentials,
    regenerateEndpointKeys: keys.regenerate,
    putDeployment: deployments.put,
    getDeployment: deployments.get,
    deleteDeployment: deployments.delete,
    listDeployments: deployments.list,
    putModel: models.put,
    getModel: models.get,
    listModelVersions: models.listVersions,
    listModels: models.list,
    putData: data.put,
    getData: data.get,
    listDataVersions: data.listVersions,
    listData: data.list,
    putDatastore: datastores.put,
    getDatastore: datastores.get,
    deleteDatastore: datastores.delete,
    listDatastores: datastores.list,
    putCompute: computes.put,
    getCompute: computes.get,
    deleteCompute: computes.delete,
    listComputes: computes.list,
    uploadArtifact: artifacts.upload,
    startArtifactUpload: artifacts.startUpload,
    commitArtifactUpload: artifacts.commitUpload,
    listRuntimes: runtimes.list,
  };
}
