/**
 * Field errors of inbound input: one message per field under its path (`port`,
 * `tls.keyPath`), each field's label for messages, and one `ValidationError` for them all.
 */
import { ValidationError } from "../errors.ts";

/** One message per bad field, keyed by the field's path. */
export type FieldErrors = Record<string, string>;

const LABELS: Record<string, string> = {
  tag: "Tag",
  type: "Type",
  listen: "Listen address",
  port: "Port",
  enabled: "Enabled",
  security: "Security",
  flow: "Flow",
  method: "Method",
  tls: "TLS",
  "tls.mode": "TLS mode",
  "tls.serverName": "TLS server name",
  "tls.certificatePath": "Certificate file path",
  "tls.keyPath": "Key file path",
  reality: "Reality",
  "reality.handshakeServer": "Handshake server",
  "reality.handshakePort": "Handshake port",
  "reality.serverName": "Reality server name",
  "reality.shortIds": "Short ids",
  "reality.regenerateKeys": "Regenerate keys",
  client: "Where clients connect",
  "client.address": "Client address",
  "client.serverName": "Client TLS server name",
};

/** A field's name in messages, e.g. "Handshake port" for `reality.handshakePort`. */
export function label(field: string): string {
  return LABELS[field] ?? field;
}

/** A value cut short for an error message. */
export function clip(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** Whether `value` is an object with string keys: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Throws one `ValidationError` carrying every field error; does nothing when there are none. */
export function throwIfAny(errors: FieldErrors): void {
  const messages = Object.values(errors);
  if (messages.length === 0) return;
  const more = messages.length > 1 ? ` (and ${messages.length - 1} more)` : "";
  throw new ValidationError(messages[0] + more, errors);
}
