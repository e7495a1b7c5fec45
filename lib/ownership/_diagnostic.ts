/**
 * A diagnostic as the checker produces it: rustc's code, message, the
 * primary span with its label, and secondary labelled spans.
 *
 * @module
 */
import type { Span } from "./_ast.ts";

/** One secondary label of a diagnostic. */
export interface DiagnosticNote {
  span: Span;
  label: string;
}

/** A diagnostic before it is formatted. */
export interface RawDiagnostic {
  code: string;
  message: string;
  span: Span;
  label: string;
  notes: DiagnosticNote[];
}
