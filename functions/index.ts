// The Functions app's entry (package.json "main"): registrations only, each file mapping triggers to
// handlers in src/. `setup` comes first: streaming must be enabled before any registration.
import "./setup.js";
import "./registry-api.js";
import "./jobs-api.js";
import "./scoring-job.js";
import "./inbox.js";
import "./job-watchdog.js";
import "./monitor.js";
