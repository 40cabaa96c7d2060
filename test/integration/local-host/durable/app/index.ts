/**
 * A Functions app for the local Durable extension's end-to-end test, written against the real
 * libraries only: an HTTP starter with a durableClient binding, an orchestration, activities.
 */
import { app, type HttpRequest, type InvocationContext } from "@azure/functions";
import type { OrchestrationContext } from "durable-functions";
import * as df from "durable-functions";

app.http("startOrchestration", {
  route: "start/{name}",
  methods: ["POST"],
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext) => {
    const client = df.getClient(context);
    const instanceId = await client.startNew(request.params.name ?? "", { input: await request.json() });
    return client.createCheckStatusResponse(request, instanceId);
  },
});

df.app.activity("describeInput", {
  handler: (input: unknown) => ({ type: typeof input, value: input }),
});

df.app.orchestration("describeAll", function* (context: OrchestrationContext) {
  const inputs = context.df.getInput() as unknown[];
  const described: unknown[] = yield context.df.Task.all(
    inputs.map((input) => context.df.callActivity("describeInput", input)),
  );
  return described;
});
