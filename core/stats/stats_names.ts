/**
 * The one place that names things for sing-box's V2Ray stats.
 *
 * Each (user, inbound) pair is its own sing-box user, named `{userName}|{inboundTag}`,
 * so a user's total is the sum of their pairs and the UI can break it down per inbound.
 * `|` and `>>>` cannot appear in user names or tags (input validation rejects them).
 */

/** Separator between user name and inbound tag in a pair's sing-box user name. */
export const PAIR_SEPARATOR = "|";
/** Separator sing-box uses inside counter names. */
export const COUNTER_SEPARATOR = ">>>";

/** The sing-box user name of a (user, inbound) pair. */
export function pairStatName(userName: string, inboundTag: string): string {
  return `${userName}${PAIR_SEPARATOR}${inboundTag}`;
}

export type CounterKind = "user" | "inbound" | "outbound";
export type Direction = "uplink" | "downlink";

export interface ParsedCounter {
  kind: CounterKind;
  /** Pair name for users, tag for inbounds and outbounds. */
  name: string;
  direction: Direction;
}

/** Parses `kind>>>name>>>traffic>>>uplink|downlink`; anything else is null. */
export function parseCounterName(counter: string): ParsedCounter | null {
  const parts = counter.split(COUNTER_SEPARATOR);
  if (parts.length !== 4 || parts[2] !== "traffic") return null;
  const [kind, name, , direction] = parts;
  if (kind !== "user" && kind !== "inbound" && kind !== "outbound") return null;
  if (direction !== "uplink" && direction !== "downlink") return null;
  if (name === "") return null;
  return { kind, name, direction };
}

/** The counter name sing-box uses for a kind, name and direction. */
export function counterName(kind: CounterKind, name: string, direction: Direction): string {
  return [kind, name, "traffic", direction].join(COUNTER_SEPARATOR);
}
