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
    "set BATCHFN_KEY (the admin key, or an endpoint key), BATCHFN_TOKEN or BATCHFN_TOKEN_COMMAND; locally, npm start writes its admin key to .batchfn/local.json, where the CLI finds it.",
  Forbidden:
    "this credential cannot do that: managing endpoints, deployments and assets, and uploading local files, need the admin key or a token with the BatchEndpoint.Admin role; endpoint keys and BatchEndpoint.Invoke tokens may invoke and read jobs.",
};

/**
 * The text of a failed command on stderr, like az: `ERROR: (Code) message`, every detail on a line
 * of its own, and a hint where one helps. Unexpected errors keep their stack under `--debug`.
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
  return `ERROR: ${error.message}\n${debug && error.stack ? `${error.stack}\n` : ""}`;
}
