/**
 * Print one line naming this machine's facts and where each came from, so a
 * test log says which kind of machine it ran on (caches from /sys or from
 * sysconf, implausible values, RAM, swap). `./garden test` prints it first.
 *
 *   deno run -A --frozen tools/machine_summary.ts
 *
 * It never fails the run: whatever cannot be read is printed as unknown.
 *
 * @module
 */
import { machineFacts, machineSummary } from "../lib/mod.ts";

if (import.meta.main) {
  try {
    console.log(machineSummary(machineFacts()));
  } catch (error) {
    console.log(`machine: could not read the machine facts: ${(error as Error).message}`);
  }
}
