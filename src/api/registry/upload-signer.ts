import type { TokenCredential } from "@azure/identity";
import {
  BlobSASPermissions,
  type BlobSASSignatureValues,
  type BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type UserDelegationKey,
} from "@azure/storage-blob";
import { errors } from "../../errors.js";

/** Hands out short-lived URLs that can write one blob each, and nothing else. */
export interface UploadSigner {
  /** One URL per blob of `container`, allowing create and write (no read, list or delete) until `expiresOn`. */
  signUploads(container: string, blobs: readonly string[], expiresOn: Date): Promise<string[]>;
}

export interface UploadSignerOptions {
  blob: BlobServiceClient;
  /**
   * Where a user delegation key comes from when the app reaches storage with a token credential
   * (managed identity); default: `blob.getUserDelegationKey`.
   */
  delegationKey?: (startsOn: Date, expiresOn: Date) => Promise<UserDelegationKey>;
}

/** Clock skew tolerated between this instance and the storage service. */
const SKEW_MS = 5 * 60_000;

/**
 * Builds the signer for the app's blob client: a service SAS signed with the account key when the
 * connection string holds one (Azurite, key-based accounts), a user delegation SAS when the app
 * runs with a token credential (managed identity; needs a role with
 * `generateUserDelegationKey`, such as Storage Blob Data Contributor). A connection string with
 * only a SAS cannot sign: `SasUnavailable`.
 */
export function createUploadSigner(options: UploadSignerOptions): UploadSigner {
  const { blob } = options;
  const credential = blob.credential;
  const protocol = blob.url.startsWith("https:") ? SASProtocol.Https : SASProtocol.HttpsAndHttp;
  const delegationKey =
    options.delegationKey ??
    (async (startsOn: Date, expiresOn: Date) => blob.getUserDelegationKey(startsOn, expiresOn));

  return {
    async signUploads(container, blobs, expiresOn) {
      const startsOn = new Date(Date.now() - SKEW_MS);
      const values = (blobName: string): BlobSASSignatureValues => ({
        containerName: container,
        blobName,
        permissions: BlobSASPermissions.parse("cw"),
        startsOn,
        expiresOn,
        protocol,
      });
      const url = (blobName: string, sas: string) =>
        `${blob.getContainerClient(container).getBlobClient(blobName).url}?${sas}`;
      if (credential instanceof StorageSharedKeyCredential) {
        return blobs.map((name) =>
          url(name, generateBlobSASQueryParameters(values(name), credential).toString()),
        );
      }
      if (isTokenCredential(credential)) {
        const key = await delegationKey(startsOn, expiresOn);
        return blobs.map((name) =>
          url(name, generateBlobSASQueryParameters(values(name), key, blob.accountName).toString()),
        );
      }
      throw errors.sasUnavailable(
        "This app reaches storage with a connection string that holds no account key, so it cannot sign upload URLs; upload through POST /api/artifacts instead.",
      );
    },
  };
}

function isTokenCredential(credential: unknown): credential is TokenCredential {
  return (
    typeof credential === "object" &&
    credential !== null &&
    "getToken" in credential &&
    typeof credential.getToken === "function"
  );
}
