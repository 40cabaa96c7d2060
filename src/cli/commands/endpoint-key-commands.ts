import { Option } from "commander";
import { z } from "zod";
import { routes } from "../api/routes.js";
import type { BatchfnCommand } from "../batchfn-command.js";
import { addLeaf, type CliRuntime } from "../command-kit.js";

const KEY_TYPES = ["primary", "secondary"];

/**
 * `batch-endpoint get-credentials|regenerate-keys`, as `az ml online-endpoint` has them: how callers
 * authenticate to an endpoint, and new keys for an endpoint with `auth_mode: key` (shown once, in
 * the answer; the key replaced stops working at once).
 */
export function registerEndpointKeyCommands(group: BatchfnCommand, runtime: CliRuntime): void {
  addLeaf(
    group,
    {
      name: "get-credentials",
      summary:
        "How callers authenticate: the key ages (auth_mode key) or the token issuers, audiences and roles",
      flags: (c) => c.requiredFlag("-n, --name <endpoint>", "endpoint name"),
      schema: z.object({ name: z.string() }),
      run: async (o, context) => ({
        value: (await context.api.send({ path: `${routes.endpoint(o.name)}/credentials` })).body,
      }),
      examples: ["batchfn batch-endpoint get-credentials --name taxi-tip"],
    },
    runtime,
  );

  addLeaf(
    group,
    {
      name: "regenerate-keys",
      summary: "Make new keys for an endpoint with auth_mode key (both, or --key-type); prints them once",
      flags: (c) =>
        c
          .requiredFlag("-n, --name <endpoint>", "endpoint name")
          .addOption(
            new Option("--key-type <type>", "the key to replace (default: both)").choices(KEY_TYPES),
          ),
      schema: z.object({ name: z.string(), keyType: z.enum(["primary", "secondary"]).optional() }),
      run: async (o, context) => {
        const keyType =
          o.keyType === undefined ? undefined : `${o.keyType[0]?.toUpperCase()}${o.keyType.slice(1)}`;
        const answer = await context.api.send({
          method: "POST",
          path: `${routes.endpoint(o.name)}/regenerate-keys`,
          body: keyType === undefined ? {} : { keyType },
        });
        context.warn("The new keys are shown this once; the keys they replace no longer work.");
        return { value: answer.body };
      },
      examples: [
        "KEY=$(batchfn batch-endpoint regenerate-keys --name taxi-tip --key-type secondary --query secondaryKey -o tsv)",
      ],
    },
    runtime,
  );
}
