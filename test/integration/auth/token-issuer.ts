import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/** A stand-in for Entra ID: RS256 keys, a JWKS served on 127.0.0.1, and tokens minted on demand. */
export interface TokenIssuer {
  issuer: string;
  audience: string;
  jwksUrl: string;
  mint(options?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

export interface MintOptions {
  roles?: string[];
  subject?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative for a token that has expired. Default 600. */
  expiresIn?: number;
  /** Seconds from now before which the token is not valid. */
  notBefore?: number;
  /** `unpublished`: signed by a key the JWKS does not hold, under the published key id (bad signature). */
  signer?: "published" | "unpublished";
  /** The key id in the header; default the published one. */
  kid?: string;
}

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const kid = `kid-${randomUUID()}`;
  const published = await generateKeyPair("RS256", { extractable: true });
  const unpublished = await generateKeyPair("RS256");
  const jwk: JWK = { ...(await exportJWK(published.publicKey)), kid, alg: "RS256", use: "sig" };
  const server: Server = createServer((request, response) => {
    if (request.url === "/discovery/keys") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = "https://login.example.test/tenant-1/v2.0";
  const audience = "api://batchfn-tests";

  return {
    issuer,
    audience,
    jwksUrl: `http://127.0.0.1:${port}/discovery/keys`,
    async mint(options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({ roles: options.roles ?? [], oid: options.subject ?? randomUUID() })
        .setProtectedHeader({ alg: "RS256", kid: options.kid ?? kid, typ: "JWT" })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? audience)
        .setSubject(options.subject ?? "tester")
        .setIssuedAt(now - 5)
        .setExpirationTime(now + (options.expiresIn ?? 600));
      if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
      const key = options.signer === "unpublished" ? unpublished.privateKey : published.privateKey;
      return jwt.sign(key);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
