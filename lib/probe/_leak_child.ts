// Private: the child process of detectLeakInChild. Run with --expose-gc and a
// capped heap; argument: JSON { scenarios: string[], options: LeakOptions }.
// Prints a JSON array of reports on stdout.
import { detectLeak } from "./leak_detector.ts";
import { LEAK_SCENARIOS } from "./leak_scenarios.ts";

const { scenarios, options } = JSON.parse(Deno.args[0] ?? "{}") as {
  scenarios: string[];
  options: Record<string, unknown>;
};
const reports = [];
for (const name of scenarios) {
  const scenario = LEAK_SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new RangeError(`Unknown scenario: ${name}`);
  reports.push({ scenario: name, ...(await detectLeak(scenario.make(), options)) });
}
console.log(JSON.stringify(reports));
