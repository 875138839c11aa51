/**
 * Field errors of inbound input: one message per field under its path (`port`,
 * `tls.keyPath`), each field's name in messages (the catalog's `inboundFields`), and one
 * `ValidationError` for them all.
 */
import { ValidationError } from "../errors.ts";
import type { Messages } from "../i18n/en.ts";
import { localize, type Msg } from "../i18n/msg.ts";

/** One message per bad field, keyed by the field's path. */
export type FieldErrors = Record<string, Msg>;

/** A field path of inbound input, as the catalog names them (`reality.handshakePort`). */
export type InboundField = keyof Messages["inboundFields"];

/** A field's name in messages, e.g. "Handshake port" for `reality.handshakePort`. */
export function label(field: string, m: Messages): string {
  return Object.hasOwn(m.inboundFields, field) ? m.inboundFields[field as InboundField] : field;
}

/** A value cut short for an error message. */
export function clip(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** "Inbound "x" does not exist", in any language. */
export function inboundNotFound(tag: string): Msg {
  const given = clip(tag, 40);
  return (m) => m.errors.inboundNotFound(given);
}

/** Whether `value` is an object with string keys: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Throws one `ValidationError` carrying every field error; does nothing when there are none. */
export function throwIfAny(errors: FieldErrors): void {
  const messages = Object.values(errors);
  if (messages.length === 0) return;
  const first = messages[0];
  const message: Msg = messages.length === 1
    ? first
    : (m) => m.errors.andMoreErrors(localize(first, m), messages.length - 1);
  throw new ValidationError(message, errors);
}
