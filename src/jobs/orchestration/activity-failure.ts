/**
 * The message an activity failed with, as its own code wrote it (it names the input, the file, the
 * mini-batch in the user's terms), without what the Durable extension wraps around it: the
 * "Activity function 'planJob' failed: " prefix and the " \n <details>" (a stack trace on Azure)
 * of `TaskFailed` events, or the "<ErrorType>: " of failure details.
 */
export function activityFailureMessage(thrown: unknown): string {
  let message = thrown instanceof Error ? thrown.message : String(thrown);
  message = message.replace(/^Activity function '[^']*' failed: /, "");
  const details = message.indexOf(" \n ");
  if (details >= 0) message = message.slice(0, details);
  message = message.replace(/^(?:[A-Z][A-Za-z]*Error|Error): /, "");
  return message.trim() || "the activity failed without a message";
}
