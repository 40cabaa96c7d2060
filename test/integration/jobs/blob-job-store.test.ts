import { blobJobStore } from "../../../src/jobs/store/job-store.js";
import { describeJobStore } from "../../support/job-store-contract.js";
import { testClients, uniqueName } from "../../support/storage.js";

describeJobStore("Blob", async () => {
  const jobs = testClients().blob.getContainerClient(uniqueName("jobs"));
  await jobs.createIfNotExists();
  const store = blobJobStore(jobs);
  return {
    store,
    put: async (name, text) =>
      void (await jobs.getBlockBlobClient(name).upload(text, Buffer.byteLength(text))),
  };
});
