/**
 * The process the SIGKILL test kills: runs the crash app's backend on the hub it is given and starts
 * one fan-out, then runs until killed. Usage: node --import tsx crash-child.ts <hub> <table> <items>.
 */
import { createStorageClients } from "../../../../src/storage/clients.js";
import { crashBackend } from "./crash-app.js";

const [hub, table, items] = process.argv.slice(2);
const connectionString = process.env.AzureWebJobsStorage;
if (!hub || !table || !items || !connectionString)
  throw new Error("usage: crash-child <hub> <table> <items>");
const backend = crashBackend(createStorageClients({ kind: "connectionString", connectionString }), hub);
await backend.start();
const instanceId = await backend.client.start("crashFanOut", {
  instanceId: "crash",
  input: { table, items: Number(items) },
});
process.stdout.write(`started ${instanceId}\n`);
