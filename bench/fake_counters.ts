/**
 * Counters as a busy core would hold them, for benchmarks: 2 per pair name plus the
 * inbounds' and the outbound's; `bump` grows those of every pair (share 1) or a share.
 */
import { counterName } from "../core/stats/stats_names.ts";
import { seededRandom } from "./seed.ts";

export class FakeCounters {
  readonly values = new Map<string, bigint>();
  uptime = 1;
  readonly #random = seededRandom(11);

  constructor(readonly names: string[], readonly tags: string[]) {}

  bump(share: number): void {
    let total = 0n;
    for (const name of this.names) {
      if (share < 1 && this.#random() >= share) continue;
      for (const dir of ["uplink", "downlink"] as const) {
        const key = counterName("user", name, dir);
        const add = BigInt(1 + Math.floor(this.#random() * 1_000_000));
        this.values.set(key, (this.values.get(key) ?? 0n) + add);
        total += add;
      }
    }
    for (const tag of this.tags) {
      for (const dir of ["uplink", "downlink"] as const) {
        const key = counterName("inbound", tag, dir);
        this.values.set(key, (this.values.get(key) ?? 0n) + total / 6n);
      }
    }
    const out = counterName("outbound", "direct", "downlink");
    this.values.set(out, (this.values.get(out) ?? 0n) + total / 2n);
    this.uptime += 10;
  }
}
