import { memoryJobStore } from "../../../src/jobs/store/job-store.js";
import { describeJobStore } from "../../support/job-store-contract.js";

describeJobStore("in-memory", async () => {
  const store = memoryJobStore();
  return { store, put: async (name, text) => void (await store.documents.write(name, text)) };
});
