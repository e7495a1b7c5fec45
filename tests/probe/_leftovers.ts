/** Temporary folders the probes made and have not removed (they are named memgarden-probe-*). */
export function probeLeftovers(): string[] {
  const out: string[] = [];
  for (const parent of [Deno.env.get("TMPDIR") ?? "/tmp", "/var/tmp"]) {
    try {
      for (const e of Deno.readDirSync(parent)) {
        if (e.name.startsWith("memgarden-probe-")) out.push(`${parent}/${e.name}`);
      }
    } catch { /* parent missing */ }
  }
  return out;
}
