import { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { afterEach, describe, expect, it } from "vitest";
import { durableClientBinding } from "../../../../src/local-host/durable/client-binding.js";

function clientFrom(binding: unknown) {
  const input = df.input.durableClient();
  const context = new InvocationContext({
    functionName: "starter",
    invocationId: "1",
    options: { trigger: { type: "httpTrigger", name: "req" }, extraInputs: [input], extraOutputs: [] },
  });
  context.extraInputs.set(input, binding);
  return df.getClient(context);
}

const options = {
  taskHub: "BatchHub",
  hostUrl: "http://127.0.0.1:7072/",
  rpcBaseUrl: "http://127.0.0.1:7072/durabletask/",
  systemKey: "K",
};

describe("durableClient binding value", () => {
  afterEach(() => {
    delete process.env.WEBSITE_HOSTNAME;
  });

  it("has the keys and URL templates of the extension", () => {
    const binding = durableClientBinding(options);
    expect(binding).toMatchObject({
      taskHubName: "BatchHub",
      baseUrl: "http://127.0.0.1:7072/runtime/webhooks/durabletask",
      requiredQueryStringParameters: "code=K",
      rpcBaseUrl: "http://127.0.0.1:7072/durabletask/",
      creationUrls: {
        createNewInstancePostUri:
          "http://127.0.0.1:7072/runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]?code=K",
        createAndWaitOnNewInstancePostUri:
          "http://127.0.0.1:7072/runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=K",
      },
      managementUrls: {
        id: "INSTANCEID",
        statusQueryGetUri:
          "http://127.0.0.1:7072/runtime/webhooks/durabletask/instances/INSTANCEID?taskHub=BatchHub&connection=Storage&code=K",
        terminatePostUri:
          "http://127.0.0.1:7072/runtime/webhooks/durabletask/instances/INSTANCEID/terminate?reason={text}&taskHub=BatchHub&connection=Storage&code=K",
      },
    });
    for (const url of Object.values(binding.managementUrls)) expect(typeof url).toBe("string");
    expect(
      durableClientBinding({ ...options, systemKey: undefined }).creationUrls.createNewInstancePostUri,
    ).toBe("http://127.0.0.1:7072/runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]");
  });

  it("is accepted by df.getClient, whose payloads point at the host", () => {
    process.env.WEBSITE_HOSTNAME = "127.0.0.1:7072";
    const client = clientFrom(durableClientBinding(options));
    expect(client.taskHubName).toBe("BatchHub");
    const payload = client.createHttpManagementPayload("abc");
    expect(payload.statusQueryGetUri).toBe(
      "http://127.0.0.1:7072/runtime/webhooks/durabletask/instances/abc?taskHub=BatchHub&connection=Storage&code=K",
    );
    expect(payload.sendEventPostUri).toContain("/instances/abc/raiseEvent/{eventName}?");
  });

  it("refuses an rpc base URL that does not end in '/'", () => {
    expect(() =>
      durableClientBinding({ ...options, rpcBaseUrl: "http://127.0.0.1:7072/durabletask" }),
    ).toThrow(/rpcBaseUrl must end in '\/'/);
  });
});
