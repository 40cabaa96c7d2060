import { describe, expect, it } from "vitest";
import { activityFailureMessage } from "../../../src/jobs/orchestration/activity-failure.js";

describe("an activity's failure as the orchestration tells it", () => {
  it.each([
    [
      "Activity function 'planJob' failed: Input 'https://x/a.csv' answered HTTP 404. \n ",
      "Input 'https://x/a.csv' answered HTTP 404.",
    ],
    [
      "Activity function 'scoreMiniBatch' failed: Blob 'a.csv' changed while the job ran \n    at f (file.js:1:2)\n    at g",
      "Blob 'a.csv' changed while the job ran",
    ],
    ["BatchfnError: Datastore 'x' was not found.", "Datastore 'x' was not found."],
    ["Error: storage unavailable", "storage unavailable"],
    ["plain message", "plain message"],
    ["", "the activity failed without a message"],
  ])("%j → %j", (thrown, expected) => {
    expect(activityFailureMessage(new Error(thrown))).toBe(expected);
  });
});
