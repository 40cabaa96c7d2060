import { availableParallelism, totalmem } from "node:os";
import { z } from "zod";
import { type ErrorDetail, errors } from "./errors.js";
import { WORKER_MEMORY_MB } from "./spec/resources.js";
import {
  MAX_CONCURRENCY_SETTING,
  machineConcurrencyLimit,
  type SettingLimits,
  settingLimits,
} from "./spec/setting-limits.js";

/**
 * One zod-validated view of the environment. Every batchfn setting is read here and nowhere else;
 * a missing or malformed setting fails at start with a message naming it.
 */

const STORAGE = "AzureWebJobsStorage";

const connectionStringStorage = z.object({
  kind: z.literal("connectionString"),
  connectionString: z.string(),
});

const identityStorage = z.object({
  kind: z.literal("identity"),
  accountName: z.string().optional(),
  blobServiceUri: z.string(),
  queueServiceUri: z.string(),
  tableServiceUri: z.string(),
  credential: z.enum(["managedidentity", "default"]),
  clientId: z.string().optional(),
});

export const storageConfigSchema = z.discriminatedUnion("kind", [connectionStringStorage, identityStorage]);
export type StorageConfig = z.infer<typeof storageConfigSchema>;

const containerName = z
  .string()
  .regex(
    /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
    "must be a valid blob container name (3-63 chars: a-z, 0-9, -)",
  );
const tablePrefix = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,31}$/, "must be letters and digits, 1-32 chars");

const batchfnSettingsSchema = z.object({
  BATCHFN_DATA_CONTAINER: containerName.default("batchfn-data"),
  BATCHFN_ARTIFACTS_CONTAINER: containerName.default("batchfn-artifacts"),
  BATCHFN_INBOX_CONTAINER: containerName.default("batchfn-inbox"),
  BATCHFN_OUTBOX_CONTAINER: containerName.default("batchfn-outbox"),
  BATCHFN_JOBS_CONTAINER: containerName.default("batchfn-jobs"),
  BATCHFN_TABLE_PREFIX: tablePrefix.default("batchfn"),
  BATCHFN_MAX_CONCURRENCY_PER_INSTANCE: z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_CONCURRENCY_SETTING}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, `must be a whole number from 1 to ${MAX_CONCURRENCY_SETTING}`)
        .max(MAX_CONCURRENCY_SETTING, `must be a whole number from 1 to ${MAX_CONCURRENCY_SETTING}`),
    )
    .optional(),
  BATCHFN_PYTHON: z.string().trim().min(1, "must name a Python interpreter").default("python3"),
});

const MIB = 1024 * 1024;

/**
 * The memory one scoring worker may use when neither the deployment nor the invocation says
 * (`worker_memory_mb`): a quarter of the machine's memory, between 256 MB and 2048 MB.
 */
export function defaultWorkerMemoryMb(memoryBytes: number = machineMemoryBytes()): number {
  const machine = Math.floor(memoryBytes / MIB);
  return Math.max(
    WORKER_MEMORY_MB.min,
    Math.min(machine, Math.max(256, Math.min(2048, Math.floor(machine / 4)))),
  );
}

/** The most a worker may be given on this machine: all its memory, within the documented cap. */
export function maxWorkerMemoryMb(memoryBytes: number = machineMemoryBytes()): number {
  return Math.max(WORKER_MEMORY_MB.min, Math.min(WORKER_MEMORY_MB.max, Math.floor(memoryBytes / MIB)));
}

function scoringSettingsSchema(memoryBytes: number) {
  const max = maxWorkerMemoryMb(memoryBytes);
  return z.object({
    BATCHFN_WORKER_MEMORY_MB: z.coerce
      .number("must be a number of MB")
      .int("must be a whole number of MB")
      .min(WORKER_MEMORY_MB.min, `must be at least ${WORKER_MEMORY_MB.min} (MB)`)
      .max(max, `must be at most ${max} (MB, this machine's memory or the cap of ${WORKER_MEMORY_MB.max})`)
      .default(defaultWorkerMemoryMb(memoryBytes)),
    BATCHFN_INLINE_OUTPUT_BYTES: z.coerce
      .number("must be a number of bytes")
      .int("must be a whole number of bytes")
      .min(0, "must be at least 0 (bytes)")
      .max(4096, "must be at most 4096 (bytes)")
      .default(1024),
  });
}

const commaList = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== ""),
  )
  .pipe(z.array(z.string()).min(1, "must name at least one value"));

const authSettingsSchema = z
  .object({
    BATCHFN_ADMIN_KEY: z
      .string()
      .regex(/^[\x21-\x7e]{16,256}$/, "must be 16-256 printable characters without spaces"),
    BATCHFN_AUTH_ISSUER: commaList.pipe(z.array(z.url("must be a URL (or a comma-separated list of URLs)"))),
    BATCHFN_AUTH_AUDIENCE: commaList,
    BATCHFN_AUTH_JWKS_URL: z.string().refine(isServiceUrl, "must be an https URL (http only on loopback)"),
    BATCHFN_ALLOW_PRIVATE_URL_INPUTS: z
      .string()
      .transform((value) => value.toLowerCase())
      .pipe(z.enum(["true", "false"], "must be true or false")),
  })
  .partial();

const TOKEN_SETTINGS = ["BATCHFN_AUTH_ISSUER", "BATCHFN_AUTH_AUDIENCE", "BATCHFN_AUTH_JWKS_URL"] as const;

/**
 * The app settings this schema reads: the storage account as a connection string (`storage`) or as
 * identity-based settings (`storageIdentity`), and batchfn's own settings, each with a default.
 * Deployment checks (infra/) read this list instead of repeating it.
 */
export const CONFIG_SETTINGS: {
  storage: string;
  storageIdentity: readonly string[];
  optional: readonly string[];
} = {
  storage: STORAGE,
  storageIdentity: Object.keys(identityStorage.shape)
    .filter((key) => key !== "kind")
    .map((key) => `${STORAGE}__${key}`),
  optional: [
    ...Object.keys(batchfnSettingsSchema.shape),
    ...Object.keys(authSettingsSchema.shape),
    ...Object.keys(scoringSettingsSchema(0).shape),
  ],
};

/** Who may call the API: the host admin key and the Entra ID (JWT) settings; see src/auth. */
export interface AuthConfig {
  /** The host admin key (`BATCHFN_ADMIN_KEY`), accepted on every route. */
  adminKey?: string;
  /** Bearer tokens: accepted issuers and audiences, and where their signing keys are published. */
  token?: { issuers: string[]; audiences: string[]; jwksUrl: string };
}

export interface Config {
  storage: StorageConfig;
  containers: { data: string; artifacts: string; inbox: string; outbox: string; jobs: string };
  tablePrefix: string;
  auth: AuthConfig;
  /** `BATCHFN_ALLOW_PRIVATE_URL_INPUTS`: URL inputs may use http and private addresses. */
  inputs: { allowPrivateUrls: boolean };
  /** Upper bounds of the settings that size resources (src/spec/setting-limits.ts). */
  limits: SettingLimits;
  /** `BATCHFN_PYTHON`: the interpreter of Python scoring scripts (a path, or a name on PATH). */
  python: { interpreter: string };
  /**
   * `BATCHFN_WORKER_MEMORY_MB`: a scoring worker's memory limit when its settings give none;
   * `BATCHFN_INLINE_OUTPUT_BYTES`: a mini-batch's output up to this size travels in its outcome.
   */
  scoring: { workerMemoryMb: number; inlineOutputBytes: number };
}

export type Environment = Record<string, string | undefined>;

/**
 * Reads and validates the whole configuration; throws `InvalidConfig` naming every bad setting.
 * `machine` is this machine's memory (defaults and bounds derive from it).
 */
export function loadConfig(
  env: Environment = process.env,
  machine: { memoryBytes: number } = { memoryBytes: machineMemoryBytes() },
): Config {
  const problems: ErrorDetail[] = [];
  const storage = readStorage(env, problems);
  const settings = readSettings(batchfnSettingsSchema, env, problems);
  const scoring = readSettings(scoringSettingsSchema(machine.memoryBytes), env, problems);
  const auth = readAuth(env, problems);
  if (problems.length > 0 || !storage || !settings.success || !scoring.success || !auth) {
    throw errors.invalidConfig(
      `Invalid configuration: ${problems.map((p) => p.message).join("; ")}`,
      problems,
    );
  }
  const s = settings.data;
  return {
    storage,
    containers: {
      data: s.BATCHFN_DATA_CONTAINER,
      artifacts: s.BATCHFN_ARTIFACTS_CONTAINER,
      inbox: s.BATCHFN_INBOX_CONTAINER,
      outbox: s.BATCHFN_OUTBOX_CONTAINER,
      jobs: s.BATCHFN_JOBS_CONTAINER,
    },
    tablePrefix: s.BATCHFN_TABLE_PREFIX,
    auth: auth.auth,
    inputs: { allowPrivateUrls: auth.allowPrivateUrls },
    python: { interpreter: s.BATCHFN_PYTHON },
    limits: hostLimits(s.BATCHFN_MAX_CONCURRENCY_PER_INSTANCE, machine.memoryBytes),
    scoring: {
      workerMemoryMb: scoring.data.BATCHFN_WORKER_MEMORY_MB,
      inlineOutputBytes: scoring.data.BATCHFN_INLINE_OUTPUT_BYTES,
    },
  };
}

/** The memory this process may use: the machine's, or its container's (cgroup) when smaller. */
export function machineMemoryBytes(): number {
  const constrained = process.constrainedMemory();
  return constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
}

/**
 * This machine's bounds: scoring workers from `BATCHFN_MAX_CONCURRENCY_PER_INSTANCE`, else from its
 * cores and memory; a worker's memory from the machine's memory.
 */
function hostLimits(setting: number | undefined, memoryBytes: number): SettingLimits {
  const maxWorkerMemory = maxWorkerMemoryMb(memoryBytes);
  if (setting !== undefined) {
    return settingLimits({
      maxConcurrencyPerInstance: setting,
      source: "BATCHFN_MAX_CONCURRENCY_PER_INSTANCE",
      maxWorkerMemoryMb: maxWorkerMemory,
    });
  }
  const cores = availableParallelism();
  const gib = (memoryBytes / 1024 ** 3).toFixed(1);
  return settingLimits({
    maxConcurrencyPerInstance: machineConcurrencyLimit({ cores, memoryBytes }),
    source: `this host's ${cores} cores and ${gib} GiB of memory; BATCHFN_MAX_CONCURRENCY_PER_INSTANCE sets another bound`,
    maxWorkerMemoryMb: maxWorkerMemory,
  });
}

function readSettings<T extends z.ZodObject>(schema: T, env: Environment, problems: ErrorDetail[]) {
  const parsed = schema.safeParse(pickDefined(env, Object.keys(schema.shape)));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const setting = String(issue.path[0]);
      problems.push({ path: setting, message: `${setting} ${issue.message}` });
    }
  }
  return parsed;
}

function readAuth(
  env: Environment,
  problems: ErrorDetail[],
): { auth: AuthConfig; allowPrivateUrls: boolean } | undefined {
  const parsed = authSettingsSchema.safeParse(pickDefined(env, Object.keys(authSettingsSchema.shape)));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const setting = String(issue.path[0]);
      problems.push({ path: setting, message: `${setting} ${issue.message}` });
    }
    return undefined;
  }
  const s = parsed.data;
  const given = TOKEN_SETTINGS.filter((key) => s[key] !== undefined);
  if (given.length > 0 && given.length < TOKEN_SETTINGS.length) {
    for (const missing of TOKEN_SETTINGS.filter((key) => s[key] === undefined)) {
      problems.push({
        path: missing,
        message: `${missing} is required when ${given.join(" or ")} is set (tokens need an issuer, an audience and a JWKS URL)`,
      });
    }
    return undefined;
  }
  const token =
    s.BATCHFN_AUTH_ISSUER && s.BATCHFN_AUTH_AUDIENCE && s.BATCHFN_AUTH_JWKS_URL
      ? {
          issuers: s.BATCHFN_AUTH_ISSUER,
          audiences: s.BATCHFN_AUTH_AUDIENCE,
          jwksUrl: s.BATCHFN_AUTH_JWKS_URL,
        }
      : undefined;
  return {
    auth: { ...(s.BATCHFN_ADMIN_KEY ? { adminKey: s.BATCHFN_ADMIN_KEY } : {}), ...(token ? { token } : {}) },
    allowPrivateUrls: s.BATCHFN_ALLOW_PRIVATE_URL_INPUTS === "true",
  };
}

function pickDefined(env: Environment, keys: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  return picked;
}

function readStorage(env: Environment, problems: ErrorDetail[]): StorageConfig | undefined {
  const connectionString = env[STORAGE]?.trim();
  if (connectionString) {
    const problem = checkConnectionString(connectionString);
    if (problem) {
      problems.push({ path: STORAGE, message: `${STORAGE} ${problem}` });
      return undefined;
    }
    return { kind: "connectionString", connectionString };
  }
  const prefix = `${STORAGE}__`;
  const identityKeys = Object.keys(env).filter((key) => key.startsWith(prefix) && env[key]);
  if (identityKeys.length === 0) {
    problems.push({
      path: STORAGE,
      message: `${STORAGE} is not set: give a connection string (UseDevelopmentStorage=true for Azurite) or ${prefix}accountName / ${prefix}blobServiceUri, ${prefix}queueServiceUri, ${prefix}tableServiceUri`,
    });
    return undefined;
  }
  const accountName = env[`${prefix}accountName`]?.trim() || undefined;
  if (accountName !== undefined && !/^[a-z0-9]{3,24}$/.test(accountName)) {
    problems.push({
      path: `${prefix}accountName`,
      message: `${prefix}accountName must be 3-24 lowercase letters or digits`,
    });
  }
  const uris: Record<"blob" | "queue" | "table", string | undefined> = {
    blob: undefined,
    queue: undefined,
    table: undefined,
  };
  for (const service of ["blob", "queue", "table"] as const) {
    const key = `${prefix}${service}ServiceUri`;
    const given = env[key]?.trim();
    if (given) {
      if (!isServiceUrl(given)) {
        problems.push({
          path: key,
          message: `${key} must be an https URL (http only on loopback), got '${given}'`,
        });
      }
      uris[service] = given.replace(/\/+$/, "");
    } else if (accountName) {
      uris[service] = `https://${accountName}.${service}.core.windows.net`;
    } else {
      problems.push({
        path: key,
        message: `${key} is required when ${prefix}accountName is not set (Durable Functions needs blob, queue and table)`,
      });
    }
  }
  const credentialKey = `${prefix}credential`;
  const credential = env[credentialKey]?.trim().toLowerCase();
  if (credential !== undefined && credential !== "managedidentity") {
    problems.push({
      path: credentialKey,
      message: `${credentialKey} must be 'managedidentity' when set, got '${env[credentialKey]}'`,
    });
  }
  const clientId = env[`${prefix}clientId`]?.trim() || undefined;
  if (clientId !== undefined && !/^[0-9a-fA-F-]{36}$/.test(clientId)) {
    problems.push({
      path: `${prefix}clientId`,
      message: `${prefix}clientId must be a GUID, got '${clientId}'`,
    });
  }
  if (!uris.blob || !uris.queue || !uris.table) return undefined;
  return {
    kind: "identity",
    accountName,
    blobServiceUri: uris.blob,
    queueServiceUri: uris.queue,
    tableServiceUri: uris.table,
    credential: credential === "managedidentity" ? "managedidentity" : "default",
    clientId,
  };
}

function isServiceUrl(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === "https:") return true;
    return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
}

/** Returns what is wrong with a storage connection string, or undefined when it is usable. */
function checkConnectionString(value: string): string | undefined {
  const pairs = new Map<string, string>();
  for (const part of value.split(";")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) return `is not a connection string: '${part}' is not a Key=Value pair`;
    pairs.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (pairs.get("usedevelopmentstorage")?.toLowerCase() === "true") return undefined;
  const hasKey = pairs.has("accountname") && pairs.has("accountkey");
  const hasSas = pairs.has("sharedaccesssignature");
  if (!hasKey && !hasSas)
    return "must hold AccountName and AccountKey, a SharedAccessSignature, or UseDevelopmentStorage=true";
  for (const service of ["blob", "queue", "table"]) {
    const explicit = pairs.get(`${service}endpoint`);
    if (explicit === undefined && !pairs.has("accountname")) {
      return `has no ${service[0]?.toUpperCase()}${service.slice(1)}Endpoint (Durable Functions needs blob, queue and table)`;
    }
    if (explicit !== undefined && !URL.canParse(explicit))
      return `has an invalid ${service} endpoint '${explicit}'`;
  }
  return undefined;
}
