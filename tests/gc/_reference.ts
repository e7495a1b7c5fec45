// A deliberately naive object graph for the property tests: maps of ids,
// arrays of field targets, reachability by a plain breadth-first search.

export interface RefObject {
  sizeBytes: number;
  fields: (string | null)[];
}

export class ReferenceGraph {
  objects = new Map<string, RefObject>();
  roots = new Map<string, number>();

  add(id: string, sizeBytes: number, fieldCount: number): void {
    this.objects.set(id, { sizeBytes, fields: Array(fieldCount).fill(null) });
  }

  set(id: string, field: number, target: string | null): void {
    this.objects.get(id)!.fields[field] = target;
  }

  root(id: string): void {
    this.roots.set(id, (this.roots.get(id) ?? 0) + 1);
  }

  unroot(id: string): void {
    const n = this.roots.get(id)!;
    if (n === 1) this.roots.delete(id);
    else this.roots.set(id, n - 1);
  }

  remove(id: string): void {
    this.objects.delete(id);
    this.roots.delete(id);
  }

  /** Everything reachable from `from` (default: the roots). */
  reachable(from: Iterable<string> = this.roots.keys()): Set<string> {
    const seen = new Set<string>();
    const queue = [...from];
    while (queue.length > 0) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const t of this.objects.get(id)!.fields) if (t !== null) queue.push(t);
    }
    return seen;
  }

  /** Objects that lie on a cycle: they can reach themselves through at least one pointer. */
  onCycles(): Set<string> {
    const out = new Set<string>();
    for (const [id, o] of this.objects) {
      const next = o.fields.filter((t): t is string => t !== null);
      if (this.reachable(next).has(id)) out.add(id);
    }
    return out;
  }

  /** What plain reference counting keeps: the reachable, plus everything a cycle holds. */
  rcKeeps(): Set<string> {
    return this.reachable([...this.roots.keys(), ...this.onCycles()]);
  }
}

/** Sorted copy, for comparing sets of ids. */
export function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort();
}
