import { BatchfnError } from "../../src/errors.js";

/** The BatchfnError a promise rejects with; fails the test when it resolves or rejects with something else. */
export async function refusal(promise: Promise<unknown>): Promise<BatchfnError> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("expected a refusal");
}
