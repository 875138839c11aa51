/**
 * An inbound's optional client override: the address clients connect to (when it differs
 * from the panel's public address) and, for TLS inbounds, the server name they send.
 * Entered as `client: {address, serverName}` in the API and `client_address` /
 * `client_server_name` in the inbound form; stored in the inbound's settings JSON.
 */
import { isHostname, MAX_HOSTNAME_LENGTH, normalizeIpAddress } from "../addresses.ts";
import type { ClientOverride } from "../model.ts";
import type { Msg } from "../i18n/msg.ts";

/** The override as entered: absent keys keep what is stored; "" clears. */
export interface ClientOverrideInput {
  address?: string;
  serverName?: string;
}

const KEYS = ["address", "serverName"];

/**
 * Reads `client` of an API body (an object of strings, or null to clear), recording field
 * errors under `client.*`.
 */
export function parseClientOverrideJson(
  value: unknown,
  errors: Record<string, Msg>,
): ClientOverrideInput | undefined {
  if (value === undefined) return undefined;
  if (value === null) return { address: "", serverName: "" };
  if (typeof value !== "object" || Array.isArray(value)) {
    errors.client = "Client must be an object or null";
    return undefined;
  }
  const input: ClientOverrideInput = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!KEYS.includes(key)) {
      const field = `client.${key.slice(0, 40)}`;
      errors[field] = `Unknown field "${field}"; known fields are ${KEYS.join(", ")}`;
    } else if (v !== null && typeof v !== "string") {
      errors[`client.${key}`] = `Client ${
        key === "address" ? "address" : "server name"
      } must be a string`;
    } else input[key as keyof ClientOverrideInput] = (v ?? "").trim();
  }
  return input;
}

/** Reads the form's `client_address` and `client_server_name`. */
export function parseClientOverrideForm(form: Record<string, unknown>): ClientOverrideInput {
  const text = (name: string) => (typeof form[name] === "string" ? String(form[name]).trim() : "");
  return { address: text("client_address"), serverName: text("client_server_name") };
}

/** A host name or IP in canonical form, or null. */
function host(value: string): string | null {
  const ip = normalizeIpAddress(value.replace(/^\[(.*)\]$/, "$1"));
  if (ip !== null) return ip;
  return value.length <= MAX_HOSTNAME_LENGTH && isHostname(value) ? value.toLowerCase() : null;
}

/**
 * Validates the override for an inbound whose security is `security` ("none", "tls",
 * "self_signed" or "reality"); returns what to store (undefined when nothing is set). A
 * server name applies only to TLS inbounds with certificate files: Reality clients must
 * send the Reality server name, and clients pinning a self-signed certificate check it
 * against the name it was issued for.
 */
export function validateClientOverride(
  input: ClientOverrideInput | undefined,
  security: string,
  errors: Record<string, Msg>,
): ClientOverride | undefined {
  if (!input) return undefined;
  const out: ClientOverride = {};
  if (input.address) {
    const address = host(input.address);
    if (address === null) {
      const given = input.address.slice(0, 64);
      errors["client.address"] = (m) => m.errors.notHost(m.inboundFields["client.address"], given);
    } else out.address = address;
  }
  if (input.serverName) {
    if (security !== "tls") {
      errors["client.serverName"] = security === "reality"
        ? (m) => m.errors.clientServerNameReality
        : security === "self_signed"
        ? (m) => m.errors.clientServerNameSelfSigned
        : (m) => m.errors.clientServerNameNoTls;
    } else if (host(input.serverName) === null) {
      const given = input.serverName.slice(0, 64);
      errors["client.serverName"] = (m) => m.errors.notHost(m.errors.clientServerName, given);
    } else out.serverName = host(input.serverName)!;
  }
  return out.address || out.serverName ? out : undefined;
}

/** The stored override as input (so a partial update can merge over it). */
export function clientOverrideInput(override: ClientOverride | undefined): ClientOverrideInput {
  return { address: override?.address ?? "", serverName: override?.serverName ?? "" };
}
