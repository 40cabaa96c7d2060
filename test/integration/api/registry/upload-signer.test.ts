import { BlobServiceClient, type UserDelegationKey } from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { createUploadSigner } from "../../../../src/api/registry/upload-signer.js";
import { BatchfnError } from "../../../../src/errors.js";

const expiresOn = new Date("2030-01-01T01:00:00Z");

describe("upload URL signing", () => {
  it("signs user delegation SAS URLs when the app holds a token credential (managed identity)", async () => {
    const tokenCredential = {
      getToken: async () => ({ token: "unused", expiresOnTimestamp: expiresOn.getTime() }),
    };
    const blob = new BlobServiceClient("https://myaccount.blob.core.windows.net", tokenCredential);
    const requested: Date[] = [];
    const key: UserDelegationKey = {
      signedObjectId: "11111111-1111-1111-1111-111111111111",
      signedTenantId: "22222222-2222-2222-2222-222222222222",
      signedStartsOn: new Date("2030-01-01T00:00:00Z"),
      signedExpiresOn: expiresOn,
      signedService: "b",
      signedVersion: "2025-01-05",
      value: Buffer.from("delegation key").toString("base64"),
    };
    const signer = createUploadSigner({
      blob,
      delegationKey: async (startsOn, until) => {
        requested.push(startsOn, until);
        return key;
      },
    });
    const [url] = await signer.signUploads("artifacts", ["uploads/u1/lib/a b.txt"], expiresOn);
    const parsed = new URL(url ?? "");
    expect(`${parsed.origin}${parsed.pathname}`).toBe(
      "https://myaccount.blob.core.windows.net/artifacts/uploads/u1/lib/a%20b.txt",
    );
    const query = parsed.searchParams;
    expect(query.get("sp")).toBe("cw");
    expect(query.get("sr")).toBe("b");
    expect(query.get("spr")).toBe("https");
    expect(query.get("skoid")).toBe(key.signedObjectId);
    expect(query.get("sktid")).toBe(key.signedTenantId);
    expect(query.get("se")).toBe("2030-01-01T01:00:00Z");
    expect(query.get("sig")).toMatch(/.+/);
    expect(requested[1]).toEqual(expiresOn);
  });

  it("cannot sign with a connection string that holds only a SAS", async () => {
    const blob = BlobServiceClient.fromConnectionString(
      "BlobEndpoint=https://myaccount.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&srt=co&sp=rw&se=2030-01-01T00:00:00Z&sig=abc",
    );
    const thrown = await createUploadSigner({ blob })
      .signUploads("artifacts", ["uploads/u1/a.txt"], expiresOn)
      .catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(BatchfnError);
    expect(thrown).toMatchObject({ code: "SasUnavailable", status: 501 });
  });
});
