/** Suggestions for a new inbound's form: a port that is free right now. */
import type { Db } from "../../db/database.ts";
import { findPortClash } from "../../db/inbounds.ts";
import { portTakenOn } from "../port_probe.ts";

/** Ports suggested for new inbounds: above the usual services, below the ephemeral range. */
const SUGGESTED_PORTS = { min: 10000, max: 60000 };

/**
 * A random port no inbound uses and this host can bind for `type`'s transports on every
 * address, or null when a few tries find none (the form then leaves the field empty).
 */
export async function suggestInboundPort(
  db: Db,
  type: string,
  random: () => number = Math.random,
): Promise<number | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = SUGGESTED_PORTS.min +
      Math.floor(random() * (SUGGESTED_PORTS.max - SUGGESTED_PORTS.min));
    if (await findPortClash(db, { port, listens: null })) continue;
    try {
      if (await portTakenOn("0.0.0.0", port, type) === null) return port;
    } catch {
      // Not bindable for another reason (permissions): try another port.
    }
  }
  return null;
}
