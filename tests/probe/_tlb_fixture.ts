import type { TlbReachResult } from "memgarden";

/** The TLB-reach run recorded on the course's build machine on 2026-12-01 (kernel 6.18, AMD EPYC guest). */
export const TLB_RECORDED_THIS_MACHINE = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/tlb/machine-this-2026-12-01.json", import.meta.url)),
) as TlbReachResult;
