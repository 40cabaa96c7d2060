import { ZodError } from "zod";
import { BatchfnError, ensureError } from "../../errors.js";

const HINTS: Record<string, string> = {
  NoDefaultDeployment:
    "name one with --deployment-name, or make one the default (batch-deployment update --set-default).",
  DeploymentIsDefault:
    "make another deployment the default first: batchfn batch-endpoint update --name <endpoint> --defaults deployment_name=<other>.",
  OutputExists:
    "choose another --output-path, or --set output_file_name=<new name>, or --set overwrite=true.",
  ConcurrentUpdate: "someone changed it meanwhile; run the command again.",
  Unauthenticated:
    "set BATCHFN_KEY (the admin key, or an endpoint key), BATCHFN_TOKEN or BATCHFN_TOKEN_COMMAND; locally, npm start records its admin key for its URL in ~/.config/batchfn/local-hosts.json (and .batchfn/local.json), where the CLI finds it: is the app running at that URL?",
  Forbidden:
    "this credential cannot do that: managing endpoints, deployments and assets, and uploading local files, need the admin key or a token with the BatchEndpoint.Admin role; endpoint keys and BatchEndpoint.Invoke tokens may invoke and read jobs.",
};

/**
 * The text of a failed command on stderr, like az: `ERROR: (Code) message`, every detail on a line
 * of its own, and a hint where one helps. Anything else thrown (a bug) is `InternalError` with its
 * message only; its stack is shown under `--debug`, never a raw list of schema issues.
 */
export function errorReport(thrown: unknown, debug: boolean): string {
  if (thrown instanceof BatchfnError) {
    const lines = [`ERROR: (${thrown.code}) ${thrown.message}`];
    const listed = thrown.details.filter((detail) => !thrown.message.includes(detail.message));
    for (const detail of listed) lines.push(`  - ${detail.path ? `${detail.path}: ` : ""}${detail.message}`);
    const hint = HINTS[thrown.code];
    if (hint) lines.push(`Hint: ${hint}`);
    return `${lines.join("\n")}\n`;
  }
  const error = ensureError(thrown);
  const message =
    error instanceof ZodError
      ? `unexpected data: ${error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ")}`
      : error.message;
  const lines = [`ERROR: (InternalError) ${message}`];
  if (debug && error.stack) lines.push(error.stack);
  else
    lines.push("Hint: this is a batchfn bug; run the command again with --debug to see where it happened.");
  return `${lines.join("\n")}\n`;
}
