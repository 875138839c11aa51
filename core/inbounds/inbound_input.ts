/**
 * Inbound input: what an admin enters for an inbound, before validation. Reads the form's
 * fields (strings) and the API's JSON (typed) into one `InboundInput`, turns a stored
 * inbound back into input, and merges a partial update over it. Also the choices and
 * limits the input is checked against, and the list's sort.
 */
import { INBOUND_SORTS, type InboundSort } from "../../db/inbounds.ts";
import { ValidationError } from "../errors.ts";
import { en } from "../i18n/en.ts";
import { clip, type FieldErrors, isPlainObject, label, throwIfAny } from "./inbound_fields.ts";
import type { Inbound } from "../model.ts";
import {
  type ClientOverrideInput,
  clientOverrideInput,
  parseClientOverrideForm,
  parseClientOverrideJson,
} from "../subscriptions/client_override.ts";

export const TLS_MODES = ["none", "files", "self_signed"] as const;
export const VLESS_SECURITIES = ["none", "tls", "reality"] as const;
export const VLESS_FLOWS = ["", "xtls-rprx-vision"] as const;
/** Listen addresses that take a port on every address. */
export const WILDCARD_LISTENS = ["::", "0.0.0.0"] as const;
export const DEFAULT_LISTEN = "::";
export const DEFAULT_SELF_SIGNED_SERVER_NAME = "localhost";
export const DEFAULT_REALITY_HANDSHAKE_PORT = 443;
export const MAX_TAG_LENGTH = 48;
export const MAX_TEXT_LENGTH = 1024;
export const MAX_SHORT_IDS = 16;

/** TLS as entered: `mode` picks files on disk, a panel-made self-signed pair, or none. */
export interface TlsInput {
  mode?: string;
  serverName?: string;
  certificatePath?: string;
  keyPath?: string;
}

/** Reality as entered; the key pair is the panel's, `regenerateKeys` asks for a new one. */
export interface RealityInput {
  handshakeServer?: string;
  handshakePort?: string | number;
  serverName?: string;
  shortIds?: string[];
  regenerateKeys?: boolean;
}

/**
 * An inbound as entered, before validation. Ports are strings from forms and numbers
 * from JSON. On update, an absent key keeps the stored value. `security` is set by the
 * form (vless); for JSON it follows from which of `tls` and `reality` is given.
 */
export interface InboundInput {
  tag?: string;
  type?: string;
  listen?: string;
  port?: string | number;
  enabled?: boolean;
  security?: string;
  tls?: TlsInput;
  reality?: RealityInput | null;
  flow?: string;
  method?: string;
  /** Where clients connect, if not the public address (see client_override.ts). */
  client?: ClientOverrideInput;
}

/** Parses the `sort` of the inbounds list; absent means by tag, unknown is a 422. */
export function parseInboundSort(value: string | undefined): InboundSort {
  if (value === undefined || value === "") return "tag";
  if ((INBOUND_SORTS as readonly string[]).includes(value)) return value as InboundSort;
  const given = clip(value);
  const sorts = INBOUND_SORTS.join(", ");
  throw new ValidationError(
    (m) => m.errors.inboundSort(given, sorts),
    { sort: (m) => m.errors.useOneOf(sorts) },
  );
}

/** Which types use TLS and whether it is required. */
export function tlsUse(type: string): "required" | "optional" | "none" {
  if (type === "trojan" || type === "hysteria2" || type === "tuic") return "required";
  if (type === "vless" || type === "vmess") return "optional";
  return "none";
}

/**
 * Reads the inbound form's fields (all strings) into an `InboundInput`, only the fields
 * the chosen type uses. `fallbackType` is used when the form has no `type` (edit form).
 */
export function parseInboundForm(
  form: Record<string, unknown>,
  fallbackType?: string,
): InboundInput {
  const text = (name: string) => {
    const value = form[name];
    return typeof value === "string" ? value : "";
  };
  const type = text("type") || fallbackType || "";
  const input: InboundInput = {
    tag: text("tag").trim(),
    type,
    listen: text("listen").trim(),
    port: text("port").trim(),
    enabled: form["enabled"] !== undefined,
  };
  if (tlsUse(type) !== "none") {
    input.tls = {
      mode: text("tls_mode"),
      serverName: text("tls_server_name").trim(),
      certificatePath: text("tls_certificate_path").trim(),
      keyPath: text("tls_key_path").trim(),
    };
  }
  if (type === "vless") {
    input.security = text("security");
    input.flow = text("flow");
    input.reality = {
      handshakeServer: text("reality_handshake_server").trim(),
      handshakePort: text("reality_handshake_port").trim(),
      serverName: text("reality_server_name").trim(),
      shortIds: text("reality_short_ids").split(/[\s,]+/).filter((id) => id !== ""),
      regenerateKeys: form["reality_regenerate_keys"] !== undefined,
    };
  }
  if (type === "shadowsocks") input.method = text("method");
  input.client = parseClientOverrideForm(form);
  return input;
}

const JSON_KEYS = [
  "tag",
  "type",
  "listen",
  "port",
  "enabled",
  "tls",
  "reality",
  "flow",
  "method",
  "client",
];
const TLS_KEYS = ["mode", "serverName", "certificatePath", "keyPath"];
const REALITY_KEYS = [
  "handshakeServer",
  "handshakePort",
  "serverName",
  "shortIds",
  "regenerateKeys",
];

/**
 * Reads an API request body into an `InboundInput`, checking JSON types. A body that is
 * not an object is a 400; unknown keys and wrongly typed values are 422 field errors.
 */
export function parseInboundJson(body: unknown): InboundInput {
  if (!isPlainObject(body)) {
    throw new ValidationError("Request body must be a JSON object", {}, 400);
  }
  const errors: FieldErrors = {};
  const input: InboundInput = {};
  unknownKeys(body, JSON_KEYS, "", errors);
  const str = (obj: Record<string, unknown>, key: string, field: string) => {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") {
      errors[field] = `${label(field, en)} must be a string`;
      return undefined;
    }
    return value;
  };
  const num = (obj: Record<string, unknown>, key: string, field: string) => {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number") {
      errors[field] = `${label(field, en)} must be a number`;
      return undefined;
    }
    return value;
  };
  const bool = (obj: Record<string, unknown>, key: string, field: string) => {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") {
      errors[field] = `${label(field, en)} must be true or false`;
      return undefined;
    }
    return value;
  };
  const set = <K extends keyof InboundInput>(key: K, value: InboundInput[K] | undefined) => {
    if (value !== undefined) input[key] = value;
  };
  set("tag", str(body, "tag", "tag"));
  set("type", str(body, "type", "type"));
  set("listen", str(body, "listen", "listen"));
  set("port", num(body, "port", "port"));
  set("enabled", bool(body, "enabled", "enabled"));
  set("flow", str(body, "flow", "flow"));
  set("method", str(body, "method", "method"));

  if (body.tls === null) input.tls = { mode: "none" };
  else if (body.tls !== undefined) {
    if (!isPlainObject(body.tls)) errors["tls"] = "TLS must be an object or null";
    else {
      unknownKeys(body.tls, TLS_KEYS, "tls.", errors);
      const tls: TlsInput = {};
      for (const key of TLS_KEYS as Array<keyof TlsInput>) {
        const value = str(body.tls, key, `tls.${key}`);
        if (value !== undefined) tls[key] = value;
      }
      input.tls = tls;
    }
  }
  if (body.reality === null) input.reality = null;
  else if (body.reality !== undefined) {
    if (!isPlainObject(body.reality)) errors["reality"] = "Reality must be an object or null";
    else {
      const r = body.reality;
      unknownKeys(r, REALITY_KEYS, "reality.", errors);
      const reality: RealityInput = {};
      const handshakeServer = str(r, "handshakeServer", "reality.handshakeServer");
      const handshakePort = num(r, "handshakePort", "reality.handshakePort");
      const serverName = str(r, "serverName", "reality.serverName");
      const regenerateKeys = bool(r, "regenerateKeys", "reality.regenerateKeys");
      if (handshakeServer !== undefined) reality.handshakeServer = handshakeServer;
      if (handshakePort !== undefined) reality.handshakePort = handshakePort;
      if (serverName !== undefined) reality.serverName = serverName;
      if (regenerateKeys !== undefined) reality.regenerateKeys = regenerateKeys;
      if (r.shortIds !== undefined && r.shortIds !== null) {
        if (!Array.isArray(r.shortIds) || !r.shortIds.every((id) => typeof id === "string")) {
          errors["reality.shortIds"] = "Short ids must be a list of strings";
        } else reality.shortIds = r.shortIds as string[];
      }
      input.reality = reality;
    }
  }
  const client = parseClientOverrideJson(body.client, errors);
  if (client) input.client = client;
  throwIfAny(errors);
  return input;
}

/** A stored inbound as input, so a partial update can be merged over it. */
export function inboundToInput(inbound: Inbound): InboundInput {
  const s = inbound.settings;
  const input: InboundInput = {
    tag: inbound.tag,
    type: inbound.type,
    listen: inbound.listen,
    port: inbound.port,
    enabled: inbound.enabled,
  };
  if (tlsUse(inbound.type) !== "none") {
    input.tls = s.tls
      ? {
        mode: s.tls.selfSigned ? "self_signed" : "files",
        serverName: s.tls.serverName,
        certificatePath: s.tls.certificatePath,
        keyPath: s.tls.keyPath,
      }
      : { mode: "none" };
  }
  if (inbound.type === "vless") {
    input.flow = s.flow ?? "";
    input.reality = s.reality
      ? {
        handshakeServer: s.reality.handshakeServer,
        handshakePort: s.reality.handshakePort,
        serverName: s.reality.serverName,
        shortIds: [...s.reality.shortIds],
      }
      : null;
  }
  if (inbound.type === "shadowsocks" && s.method) input.method = s.method;
  input.client = clientOverrideInput(s.client);
  return input;
}

/**
 * Merges a (partial) update over the stored inbound's input. `tls` and `reality` objects
 * merge key by key; giving one of them alone switches a vless inbound to it.
 */
export function mergeInboundInput(base: InboundInput, patch: InboundInput): InboundInput {
  const merged: InboundInput = { ...base, ...patch };
  if (patch.client) merged.client = { ...base.client, ...patch.client };
  if (patch.tls) merged.tls = { ...base.tls, ...patch.tls };
  if (patch.reality) {
    const reality: RealityInput = { ...base.reality, ...patch.reality };
    const old = base.reality;
    const followsHandshake = old && old.serverName === old.handshakeServer;
    if (followsHandshake && patch.reality.handshakeServer && !patch.reality.serverName) {
      delete reality.serverName;
    }
    merged.reality = reality;
    if (patch.tls === undefined && base.tls) merged.tls = { ...base.tls, mode: "none" };
  }
  if (patch.tls && merged.tls?.mode !== "none" && patch.reality === undefined && base.reality) {
    merged.reality = null;
  }
  return merged;
}

function unknownKeys(
  obj: Record<string, unknown>,
  known: string[],
  prefix: string,
  errors: FieldErrors,
) {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    // "__proto__" as a plain object key would be dropped, hiding the error.
    const field = prefix + (key === "__proto__" ? "(__proto__)" : clip(key));
    errors[field] = `Unknown field "${field}"; known fields are ${known.join(", ")}`;
  }
}
