/**
 * Reading and writing the course's data files: gzip through fflate,
 * validation through zod, errors that name the file, the field and the line.
 * The simulators never touch files; this module and `lib/probe` do.
 *
 * @example Validate a data file
 * ```ts
 * import { parseJsonData } from "memgarden";
 * import { z } from "zod";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => parseJsonData('{"pages": "four"}', z.object({ pages: z.number() }), "demo.json"),
 *   /demo.json[\s\S]*pages/,
 * );
 * ```
 *
 * @module
 */
export * from "./data_file.ts";
export * from "./hierarchy.ts";
export * from "./notebook.ts";
export * from "./trace_file.ts";
