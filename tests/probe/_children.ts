/** Child processes of this test process still present, zombies included (from /proc/PID/stat). */
export function liveChildren(): number[] {
  const me = Deno.pid;
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === me) out.push(Number(e.name));
    } catch { /* gone meanwhile */ }
  }
  return out;
}
