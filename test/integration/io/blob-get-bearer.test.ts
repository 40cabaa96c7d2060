import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AccessToken } from "@azure/identity";
import { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getWholeBlob } from "../../../src/io/inputs/blob-get.js";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY } from "../../../src/storage/embedded-azurite.js";

/**
 * Bearer tokens (managed identity on Azure) against a real token check: Azurite's blob service over
 * https with `--oauth basic`, which checks a token's audience, issuer and lifetime (not its
 * signature), with a self-signed certificate this test makes and trusts for itself.
 */
let azurite: ChildProcess | undefined;
let folder = "";
let endpoint = "";
const trusted = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "batchfn-oauth-"));
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...[
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(folder, "key.pem"),
        "-out",
        join(folder, "cert.pem"),
      ],
    ],
    { stdio: "ignore" },
  );
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  const main = createRequire(import.meta.url).resolve("azurite/dist/src/blob/main.js");
  const child = spawn(
    process.execPath,
    [
      main,
      ...["--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence", "--skipApiVersionCheck"],
      ...["--disableTelemetry", "--loose", "--silent", "--oauth", "basic"],
      ...["--cert", join(folder, "cert.pem"), "--key", join(folder, "key.pem")],
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  azurite = child;
  const port = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listens on https:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (found?.[1]) resolve(found[1]);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`Azurite exited (${code}):\n${output}`)));
  });
  endpoint = `https://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  // a private container, written with the account key
  const service = BlobServiceClient.fromConnectionString(
    `DefaultEndpointsProtocol=https;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};BlobEndpoint=${endpoint}`,
  );
  const container = service.getContainerClient("images");
  await container.create();
  await container.getBlockBlobClient("d/a.png").upload("token bytes", 11);
  await container.getBlockBlobClient("d/b.png").upload("more bytes", 10);
});

afterAll(async () => {
  if (trusted === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = trusted;
  azurite?.kill();
  await rm(folder, { recursive: true, force: true });
});

/** An unsigned JWT with the claims Azurite's basic check reads. */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2ln`;
}

/** A token credential that counts its calls and hands out tokens of the given lifetime. */
function tokenCredential(audience: string, lifetimeS: number) {
  const calls: string[][] = [];
  return {
    calls,
    async getToken(scopes: string | string[]): Promise<AccessToken> {
      calls.push([scopes].flat());
      const now = Math.floor(Date.now() / 1000);
      const claims = { aud: audience, iss: "https://sts.windows.net/ab1f708d-50f6-404c-a006-d71b2ac7a606/" };
      return {
        token: jwt({ ...claims, iat: now - 60, nbf: now - 60, exp: now + lifetimeS }),
        expiresOnTimestamp: (now + lifetimeS) * 1000,
      };
    },
  };
}

describe("one plain GET with a bearer token", () => {
  it("reads what the SDK reads with the same token credential, asking it for the storage scope once", async () => {
    const credential = tokenCredential("https://storage.azure.com", 3600);
    const container = new ContainerClient(`${endpoint}/images`, credential);
    expect((await getWholeBlob(container, "d/a.png"))?.toString()).toBe("token bytes");
    expect((await getWholeBlob(container, "d/b.png"))?.toString()).toBe("more bytes");
    expect(credential.calls).toEqual([["https://storage.azure.com/.default"]]);
    expect(await container.getBlobClient("d/a.png").downloadToBuffer()).toEqual(
      await getWholeBlob(container, "d/a.png"),
    );
  });

  it("answers nothing for a token storage refuses (wrong audience), as the SDK is refused", async () => {
    const container = new ContainerClient(
      `${endpoint}/images`,
      tokenCredential("https://vault.azure.net", 3600),
    );
    expect(await getWholeBlob(container, "d/a.png")).toBeUndefined();
    await expect(container.getBlobClient("d/a.png").downloadToBuffer()).rejects.toMatchObject({
      statusCode: 403,
    });
  });

  it("asks for a new token when the one it holds expires within two minutes", async () => {
    const credential = tokenCredential("https://storage.azure.com", 100);
    const container = new ContainerClient(`${endpoint}/images`, credential);
    expect((await getWholeBlob(container, "d/a.png"))?.toString()).toBe("token bytes");
    expect((await getWholeBlob(container, "d/a.png"))?.toString()).toBe("token bytes");
    expect(credential.calls).toHaveLength(2);
  });
});
