/**
 * Inbounds: form fields (strings) and API JSON (typed) are parsed into one `InboundInput`,
 * validated into a complete inbound, checked against what exists, and only then written:
 * database changes in one transaction, self-signed TLS files last inside it. Bad input
 * throws `ValidationError` (422; 400 for unusable JSON bodies) or `ConflictError` (409)
 * and changes nothing. Every successful change asks the core to apply the new config.
 */
import { isAbsolute, join, resolve } from "node:path";
import type { Transaction } from "kysely";
import type { Db } from "../db/database.ts";
import type { Database } from "../db/schema.ts";
import {
  countInboundUsers,
  deleteInbound as deleteInboundRows,
  findInboundByTag,
  findPortClash,
  INBOUND_SORTS,
  type InboundSort,
  type InboundSummary,
  type InboundValues,
  insertInbound,
  toggleInboundEnabled as toggleInboundRow,
  updateInbound as updateInboundRow,
} from "../db/inbounds.ts";
import type { Config } from "./config.ts";
import { ConflictError, NotFoundError, ValidationError } from "./errors.ts";
import {
  generateRealityKeyPair,
  generateSelfSignedCertificate,
  generateShadowsocksKey,
  generateShortId,
} from "./keys.ts";
import {
  type Inbound,
  INBOUND_TYPES,
  type InboundSettings,
  type InboundType,
  type RealitySettings,
  SHADOWSOCKS_METHODS,
  type ShadowsocksMethod,
  type TlsSettings,
} from "./model.ts";
import { portTakenOn } from "./port_probe.ts";
import type { CoreControl } from "./services.ts";

export { INBOUND_SORTS, type InboundSort, type InboundSummary };

/** What the inbound operations need from the app. */
export interface InboundDeps {
  db: Db;
  config: Pick<Config, "dataDir" | "listenPort">;
  services: { core: Pick<CoreControl, "requestApply" | "currentConfig"> };
  now: () => number;
}

export const TLS_MODES = ["none", "files", "self_signed"] as const;
export const VLESS_SECURITIES = ["none", "tls", "reality"] as const;
export const VLESS_FLOWS = ["", "xtls-rprx-vision"] as const;
/** Listen addresses that take a port on every address. */
export const WILDCARD_LISTENS = ["::", "0.0.0.0"] as const;
export const DEFAULT_LISTEN = "::";
export const DEFAULT_SELF_SIGNED_SERVER_NAME = "localhost";
export const DEFAULT_REALITY_HANDSHAKE_PORT = 443;
export const MAX_TAG_LENGTH = 48;
export const MAX_HOSTNAME_LENGTH = 253;
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
}

/** A validated inbound: every field present and well-formed, not yet checked against others. */
interface ValidInbound {
  tag: string;
  type: InboundType;
  listen: string;
  port: number;
  enabled: boolean;
  tls: {
    mode: "files" | "self_signed";
    serverName: string;
    certificatePath: string;
    keyPath: string;
  } | null;
  reality: {
    handshakeServer: string;
    handshakePort: number;
    serverName: string;
    shortIds: string[];
    regenerateKeys: boolean;
  } | null;
  flow: "" | "xtls-rprx-vision";
  method: ShadowsocksMethod | null;
}

type FieldErrors = Record<string, string>;
type Q = Db | Transaction<Database>;

// ---------------------------------------------------------------------------------------
// Parsing

/** Parses the `sort` of the inbounds list; absent means by tag, unknown is a 422. */
export function parseInboundSort(value: string | undefined): InboundSort {
  if (value === undefined || value === "") return "tag";
  if ((INBOUND_SORTS as readonly string[]).includes(value)) return value as InboundSort;
  throw new ValidationError(
    `Sort "${clip(value)}" is not supported; use one of ${INBOUND_SORTS.join(", ")}`,
    { sort: `Use one of ${INBOUND_SORTS.join(", ")}` },
  );
}

/** Which types use TLS and whether it is required. */
function tlsUse(type: string): "required" | "optional" | "none" {
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
  return input;
}

const JSON_KEYS = ["tag", "type", "listen", "port", "enabled", "tls", "reality", "flow", "method"];
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
      errors[field] = `${label(field)} must be a string`;
      return undefined;
    }
    return value;
  };
  const num = (obj: Record<string, unknown>, key: string, field: string) => {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number") {
      errors[field] = `${label(field)} must be a number`;
      return undefined;
    }
    return value;
  };
  const bool = (obj: Record<string, unknown>, key: string, field: string) => {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") {
      errors[field] = `${label(field)} must be true or false`;
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
  return input;
}

/**
 * Merges a (partial) update over the stored inbound's input. `tls` and `reality` objects
 * merge key by key; giving one of them alone switches a vless inbound to it.
 */
export function mergeInboundInput(base: InboundInput, patch: InboundInput): InboundInput {
  const merged: InboundInput = { ...base, ...patch };
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

// ---------------------------------------------------------------------------------------
// Validation

/**
 * Validates input into a complete inbound, collecting every field error before throwing
 * one `ValidationError`. `existingType` is the stored type on update (type is fixed).
 */
export function validateInboundInput(
  input: InboundInput,
  existingType?: InboundType,
): ValidInbound {
  const errors: FieldErrors = {};
  const text = (field: string, value: string | undefined, max = MAX_TEXT_LENGTH) => {
    if (value === undefined) return "";
    if (value.length > max) {
      errors[field] = `${label(field)} must be at most ${max} characters`;
      return null;
    }
    if (hasControlCharacter(value)) {
      errors[field] = `${label(field)} must not contain control characters`;
      return null;
    }
    return value;
  };

  const tag = text("tag", input.tag, MAX_TAG_LENGTH);
  if (tag === "") errors.tag = "Tag is required";
  else if (tag !== null) {
    if (tag.includes("|") || tag.includes(">")) {
      errors.tag = `Tag cannot contain "|" or ">": sing-box stats use them as separators`;
    } else if (!/^[A-Za-z0-9._-]{1,48}$/.test(tag)) {
      errors.tag = `Tag may contain only letters, digits, ".", "_" and "-"`;
    }
  }

  const typeText = text("type", input.type, 32);
  let type: InboundType | null = null;
  if (typeText === "") errors.type = "Type is required";
  else if (typeText !== null) {
    if (!(INBOUND_TYPES as readonly string[]).includes(typeText)) {
      errors.type = `Type "${typeText}" is not supported; use one of ${INBOUND_TYPES.join(", ")}`;
    } else if (existingType && typeText !== existingType) {
      errors.type = `Type cannot be changed from ${existingType}; create a new inbound instead`;
    } else type = typeText as InboundType;
  }

  const listenText = text("listen", input.listen, 64);
  let listen = DEFAULT_LISTEN;
  if (listenText) {
    const normalized = normalizeIpAddress(listenText);
    if (normalized === null) {
      errors.listen = `Listen address "${listenText}" is not an IPv4 or IPv6 address`;
    } else listen = normalized;
  }

  const port = parsePort("port", input.port, errors, true);

  let tls: ValidInbound["tls"] = null;
  let reality: ValidInbound["reality"] = null;
  let flow: ValidInbound["flow"] = "";
  let method: ShadowsocksMethod | null = null;

  if (type) {
    const use = tlsUse(type);
    const tlsMode = input.tls?.mode ?? "none";
    // What this type does not use must not be given (the form never sends it).
    if (use === "none" && tlsMode !== "none") {
      errors["tls.mode"] = `TLS does not apply to ${type} inbounds`;
    }
    if (type !== "vless" && input.reality) {
      errors.reality = "Reality applies only to vless inbounds";
    }
    if (type !== "vless" && input.flow) errors.flow = "Flow applies only to vless inbounds";
    if (type !== "shadowsocks" && input.method) {
      errors.method = "Method applies only to shadowsocks inbounds";
    }

    let security: string = "none";
    if (type === "vless") {
      security = input.security ??
        (input.reality ? "reality" : tlsMode !== "none" ? "tls" : "none");
      if (input.security === undefined && input.reality && tlsMode !== "none") {
        errors.reality = "Choose TLS or Reality, not both";
      } else if (!(VLESS_SECURITIES as readonly string[]).includes(security)) {
        errors.security = `Security "${clip(security)}" is not one of ${
          VLESS_SECURITIES.join(", ")
        }`;
      }
    } else if (use === "required") security = "tls";
    else if (use === "optional") security = tlsMode === "none" ? "none" : "tls";

    if (security === "tls") {
      if (use === "required" && tlsMode === "none") {
        errors["tls.mode"] = `${capitalize(type)} inbounds need TLS`;
      } else tls = validateTls(input.tls ?? {}, errors, text);
    }
    if (security === "reality") reality = validateReality(input.reality ?? {}, errors, text);

    if (type === "vless") {
      const flowText = text("flow", input.flow, 32) ?? "";
      if (!(VLESS_FLOWS as readonly string[]).includes(flowText)) {
        errors.flow = `Flow "${flowText}" is not one of "" and xtls-rprx-vision`;
      } else {
        flow = flowText as ValidInbound["flow"];
        if (flow && security !== "tls" && security !== "reality") {
          errors.flow = `Flow ${flow} needs TLS or Reality`;
        }
      }
    }
    if (type === "shadowsocks") {
      const methodText = text("method", input.method, 64);
      if (methodText === "") errors.method = "Method is required";
      else if (methodText !== null) {
        if (methodText === "2022-blake3-chacha20-poly1305") {
          errors.method =
            `Method ${methodText} cannot serve several users in sing-box; choose an AES method`;
        } else if (!Object.hasOwn(SHADOWSOCKS_METHODS, methodText)) {
          errors.method = `Method "${methodText}" is not one of ${
            Object.keys(SHADOWSOCKS_METHODS).join(", ")
          }`;
        } else method = methodText as ShadowsocksMethod;
      }
    }
  }

  throwIfAny(errors);
  return {
    tag: tag!,
    type: type!,
    listen,
    port: port!,
    enabled: input.enabled ?? true,
    tls,
    reality,
    flow,
    method,
  };
}

type TextCheck = (field: string, value: string | undefined, max?: number) => string | null;

function validateTls(tls: TlsInput, errors: FieldErrors, text: TextCheck): ValidInbound["tls"] {
  const mode = tls.mode ?? "";
  if (mode !== "files" && mode !== "self_signed") {
    errors["tls.mode"] = mode === "" || mode === "none"
      ? "Choose certificate files or a self-signed certificate"
      : `TLS mode "${clip(mode)}" is not one of ${TLS_MODES.join(", ")}`;
    return null;
  }
  let serverName = text("tls.serverName", tls.serverName, MAX_HOSTNAME_LENGTH);
  if (serverName === "" && mode === "self_signed") serverName = DEFAULT_SELF_SIGNED_SERVER_NAME;
  if (serverName === "") {
    errors["tls.serverName"] = "Server name is required: the name the certificate is issued for";
  } else if (serverName !== null && !isHostname(serverName) && !normalizeIpAddress(serverName)) {
    errors["tls.serverName"] = `Server name "${serverName}" is not a host name or IP address`;
  }
  let certificatePath = "";
  let keyPath = "";
  if (mode === "files") {
    const check = (field: string, value: string | undefined, what: string) => {
      const path = text(field, value);
      if (path === "") errors[field] = `${what} path is required`;
      else if (path !== null && !isAbsolute(path)) {
        errors[field] = `${what} path "${path}" must be absolute`;
      } else return path ?? "";
      return "";
    };
    certificatePath = check("tls.certificatePath", tls.certificatePath, "Certificate file");
    keyPath = check("tls.keyPath", tls.keyPath, "Key file");
  }
  return { mode, serverName: serverName ?? "", certificatePath, keyPath };
}

function validateReality(
  reality: RealityInput,
  errors: FieldErrors,
  text: TextCheck,
): ValidInbound["reality"] {
  const handshakeServer = text(
    "reality.handshakeServer",
    reality.handshakeServer,
    MAX_HOSTNAME_LENGTH,
  );
  if (handshakeServer === "") {
    errors["reality.handshakeServer"] = "Handshake server is required, e.g. www.example.com";
  } else if (
    handshakeServer !== null && !isHostname(handshakeServer) &&
    !normalizeIpAddress(handshakeServer)
  ) {
    errors["reality.handshakeServer"] =
      `Handshake server "${handshakeServer}" is not a host name or IP address`;
  }
  const handshakePort = reality.handshakePort === undefined || reality.handshakePort === ""
    ? DEFAULT_REALITY_HANDSHAKE_PORT
    : parsePort("reality.handshakePort", reality.handshakePort, errors, false);
  let serverName = text("reality.serverName", reality.serverName, MAX_HOSTNAME_LENGTH);
  if (serverName === "" && handshakeServer && isHostname(handshakeServer)) {
    serverName = handshakeServer;
  } else if (serverName === "" && handshakeServer) {
    errors["reality.serverName"] =
      "Server name is required when the handshake server is an IP address";
  } else if (serverName && !isHostname(serverName)) {
    errors["reality.serverName"] = `Server name "${serverName}" is not a host name`;
  }
  const shortIds: string[] = [];
  const given = reality.shortIds ?? [];
  if (given.length > MAX_SHORT_IDS) {
    errors["reality.shortIds"] = `At most ${MAX_SHORT_IDS} short ids are allowed`;
  }
  for (const id of given.slice(0, MAX_SHORT_IDS)) {
    if (!/^(?:[0-9a-fA-F]{2}){1,8}$/.test(id)) {
      errors["reality.shortIds"] = `Short id "${
        clip(id, 32)
      }" must be hex digits of even length, at most 16`;
      break;
    }
    const lower = id.toLowerCase();
    if (!shortIds.includes(lower)) shortIds.push(lower);
  }
  return {
    handshakeServer: handshakeServer ? normalizeIpAddress(handshakeServer) ?? handshakeServer : "",
    handshakePort: handshakePort ?? DEFAULT_REALITY_HANDSHAKE_PORT,
    serverName: serverName ?? "",
    shortIds,
    regenerateKeys: reality.regenerateKeys ?? false,
  };
}

function parsePort(
  field: string,
  value: string | number | undefined,
  errors: FieldErrors,
  required: boolean,
): number | null {
  const name = label(field);
  if (value === undefined || value === "") {
    if (required) errors[field] = `${name} is required`;
    return null;
  }
  const port = typeof value === "number" ? value : /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    errors[field] = `${name} must be a whole number from 1 to 65535`;
    return null;
  }
  return port;
}

// ---------------------------------------------------------------------------------------
// Addresses and names

/** Whether `value` is a DNS host name (letters, digits, hyphens; dot-separated labels). */
export function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > MAX_HOSTNAME_LENGTH) return false;
  const labels = value.split(".");
  if (/^\d+$/.test(labels[labels.length - 1])) return false; // looks like an IPv4 address
  return labels.every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * An IPv4 or IPv6 literal in canonical form (IPv6 compressed, lower case, RFC 5952), or
 * null for anything else (host names, zone ids, brackets, leading zeros in IPv4).
 */
export function normalizeIpAddress(value: string): string | null {
  if (IPV4.test(value)) return value;
  const groups = parseIpv6(value);
  return groups ? formatIpv6(groups) : null;
}

function parseIpv6(value: string): number[] | null {
  if (value.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(value) || !value.includes(":")) return null;
  let body = value;
  const tail: number[] = [];
  if (value.includes(".")) {
    const at = value.lastIndexOf(":");
    const v4 = value.slice(at + 1);
    if (!IPV4.test(v4)) return null;
    const [a, b, c, d] = v4.split(".").map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    body = value.slice(0, at + 1);
    if (!body.endsWith("::")) body = body.slice(0, -1);
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (part: string) =>
    part === ""
      ? []
      : part.split(":").map((g) => /^[0-9A-Fa-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN);
  const head = groupsOf(halves[0]);
  const rest = halves.length === 2 ? groupsOf(halves[1]) : [];
  if ([...head, ...rest].some(Number.isNaN)) return null;
  const count = head.length + rest.length + tail.length;
  if (halves.length === 1) return count === 8 ? [...head, ...tail] : null;
  if (count > 7) return null;
  return [...head, ...new Array(8 - count).fill(0), ...rest, ...tail];
}

function formatIpv6(groups: number[]): string {
  let bestStart = -1, bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLength).join(":");
  return `${left}::${right}`;
}

// ---------------------------------------------------------------------------------------
// Reading

/** The inbound with this tag; throws `NotFoundError` when there is none. */
export async function getInbound(db: Db, tag: string): Promise<Inbound> {
  const inbound = await findInboundByTag(db, tag);
  if (!inbound) throw new NotFoundError(`Inbound "${clip(tag)}" does not exist`);
  return inbound;
}

/** An inbound with its user count, for API responses. */
export async function getInboundSummary(db: Db, tag: string): Promise<InboundSummary> {
  const inbound = await getInbound(db, tag);
  return { ...inbound, users: await countInboundUsers(db, inbound.id) };
}

/** Settings safe to show: everything but the Reality private key. */
export function publicInboundSettings(settings: InboundSettings): InboundSettings {
  if (!settings.reality) return settings;
  const { privateKey: _secret, ...reality } = settings.reality;
  return { ...settings, reality: reality as RealitySettings };
}

/** Where the panel keeps a self-signed certificate and key for a tag (absolute paths). */
export function selfSignedPaths(dataDir: string, tag: string) {
  const dir = resolve(dataDir, "tls");
  return { dir, certificatePath: join(dir, `${tag}.crt`), keyPath: join(dir, `${tag}.key`) };
}

// ---------------------------------------------------------------------------------------
// Writing

/** Self-signed files to write (PEM already generated). */
interface PendingTlsFiles {
  dir: string;
  certificatePath: string;
  keyPath: string;
  certificatePem: string;
  keyPem: string;
}

/**
 * Creates an inbound: validates, checks TLS files, tag and port, generates keys and
 * certificates, then writes the row (and self-signed files) in one transaction.
 */
export async function createInbound(deps: InboundDeps, input: InboundInput): Promise<Inbound> {
  const valid = validateInboundInput(input);
  await checkTlsFiles(valid);
  await checkConflicts(deps.db, deps.config, valid, null);
  await checkPortFreeOnHost(deps, valid, null);
  const { settings, files } = await buildSettings(valid, null, deps.config.dataDir);
  const values = valuesOf(valid, settings);
  await writeInTransaction(deps, files, async (trx) => {
    await checkConflicts(trx, deps.config, valid, null);
    await insertInbound(trx, values, deps.now());
  });
  deps.services.core.requestApply(`inbound "${valid.tag}" created`);
  return await getInbound(deps.db, valid.tag);
}

/**
 * Updates the inbound `tag` with `patch` merged over its stored values (absent keys keep
 * them; the type cannot change). An update that changes nothing writes nothing and does
 * not reload sing-box. Returns the inbound as stored afterwards.
 */
export async function updateInbound(
  deps: InboundDeps,
  tag: string,
  patch: InboundInput,
): Promise<Inbound> {
  const existing = await getInbound(deps.db, tag);
  const valid = validateInboundInput(
    mergeInboundInput(inboundToInput(existing), patch),
    existing.type,
  );
  await checkTlsFiles(valid);
  await checkConflicts(deps.db, deps.config, valid, existing);
  await checkPortFreeOnHost(deps, valid, existing);
  const { settings, files } = await buildSettings(valid, existing, deps.config.dataDir);
  const values = valuesOf(valid, settings);
  if (sameValues(values, existing)) return existing;
  await writeInTransaction(deps, files, async (trx) => {
    await checkConflicts(trx, deps.config, valid, existing);
    await updateInboundRow(trx, existing.id, values, deps.now());
  });
  await removeObsoleteTlsFiles(deps.config.dataDir, existing.settings.tls, settings.tls);
  deps.services.core.requestApply(`inbound "${valid.tag}" updated`);
  return await getInbound(deps.db, valid.tag);
}

/**
 * Deletes an inbound with its user assignments and per-user traffic rows in one
 * transaction, then removes its self-signed files. Users keep their traffic totals.
 */
export async function deleteInbound(deps: InboundDeps, tag: string): Promise<void> {
  const existing = await getInbound(deps.db, tag);
  await deps.db.transaction().execute((trx) => deleteInboundRows(trx, existing.id));
  await removeObsoleteTlsFiles(deps.config.dataDir, existing.settings.tls, undefined);
  deps.services.core.requestApply(`inbound "${existing.tag}" deleted`);
}

/** Enables a disabled inbound or disables an enabled one; returns the new state. */
export async function toggleInbound(deps: InboundDeps, tag: string): Promise<boolean> {
  const enabled = await toggleInboundRow(deps.db, tag, deps.now());
  if (enabled === undefined) throw new NotFoundError(`Inbound "${clip(tag)}" does not exist`);
  deps.services.core.requestApply(`inbound "${tag}" ${enabled ? "enabled" : "disabled"}`);
  return enabled;
}

async function checkTlsFiles(valid: ValidInbound): Promise<void> {
  if (valid.tls?.mode !== "files") return;
  const errors: FieldErrors = {};
  const certError = await readableFileError(valid.tls.certificatePath, "Certificate file");
  if (certError) errors["tls.certificatePath"] = certError;
  const keyError = await readableFileError(valid.tls.keyPath, "Key file");
  if (keyError) errors["tls.keyPath"] = keyError;
  throwIfAny(errors);
}

async function readableFileError(path: string, what: string): Promise<string | null> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) return `${what} "${path}" is not a file`;
    (await Deno.open(path, { read: true })).close();
    return null;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return `${what} "${path}" does not exist`;
    if (e instanceof Deno.errors.PermissionDenied) return `${what} "${path}" is not readable`;
    return `${what} "${path}" cannot be read: ${(e as Error).message}`;
  }
}

async function checkConflicts(
  db: Q,
  config: InboundDeps["config"],
  valid: ValidInbound,
  existing: Inbound | null,
): Promise<void> {
  const sameTag = await findInboundByTag(db, valid.tag);
  if (sameTag && sameTag.id !== existing?.id) {
    const message = `Tag "${valid.tag}" is already used by another inbound`;
    throw new ConflictError(message, { tag: message });
  }
  if (valid.port === config.listenPort) {
    const message = `Port ${valid.port} is used by the panel itself`;
    throw new ConflictError(message, { port: message });
  }
  const wildcard = (WILDCARD_LISTENS as readonly string[]).includes(valid.listen);
  const clash = await findPortClash(db, {
    port: valid.port,
    listens: wildcard ? null : [valid.listen, ...WILDCARD_LISTENS],
    excludeId: existing?.id,
  });
  if (clash) {
    const message = `Port ${valid.port} is already used by inbound "${clash.tag}"`;
    throw new ConflictError(message, { port: message });
  }
}

/**
 * Refuses a new listen address and port that another program on this host holds. Ports
 * of the running sing-box config are its own and not probed; a probe that cannot tell
 * (no permission for a low port, say) lets the apply step decide.
 */
async function checkPortFreeOnHost(
  deps: InboundDeps,
  valid: ValidInbound,
  existing: Inbound | null,
): Promise<void> {
  if (existing && existing.listen === valid.listen && existing.port === valid.port) return;
  const running = await deps.services.core.currentConfig().catch(() => null);
  const inbounds = Array.isArray(running?.inbounds) ? running.inbounds : [];
  if (inbounds.some((i) => isPlainObject(i) && i.listen_port === valid.port)) return;
  let transport: string | null;
  try {
    transport = await portTakenOn(valid.listen, valid.port, valid.type);
  } catch {
    return;
  }
  if (transport) {
    const message =
      `Port ${valid.port} (${transport}) on ${valid.listen} is in use by another program`;
    throw new ConflictError(message, { port: message });
  }
}

/** Builds the stored settings, generating keys and certificate PEMs as needed. */
async function buildSettings(
  valid: ValidInbound,
  existing: Inbound | null,
  dataDir: string,
): Promise<{ settings: InboundSettings; files: PendingTlsFiles | null }> {
  const old = existing?.settings ?? {};
  const settings: InboundSettings = {};
  let files: PendingTlsFiles | null = null;
  if (valid.tls) {
    const { mode, serverName } = valid.tls;
    if (mode === "files") {
      settings.tls = {
        serverName,
        certificatePath: valid.tls.certificatePath,
        keyPath: valid.tls.keyPath,
        selfSigned: false,
      };
    } else {
      const paths = selfSignedPaths(dataDir, valid.tag);
      const reusable = old.tls?.selfSigned && old.tls.serverName === serverName &&
        old.tls.certificatePath === paths.certificatePath && old.tls.keyPath === paths.keyPath &&
        await fileExists(paths.certificatePath) && await fileExists(paths.keyPath);
      if (!reusable) {
        files = { ...paths, ...(await generateSelfSignedCertificate(serverName)) };
      }
      settings.tls = {
        serverName,
        certificatePath: paths.certificatePath,
        keyPath: paths.keyPath,
        selfSigned: true,
      };
    }
  }
  if (valid.reality) {
    const r = valid.reality;
    const keys = old.reality && !r.regenerateKeys
      ? { privateKey: old.reality.privateKey, publicKey: old.reality.publicKey }
      : await generateRealityKeyPair();
    settings.reality = {
      handshakeServer: r.handshakeServer,
      handshakePort: r.handshakePort,
      serverName: r.serverName,
      ...keys,
      shortIds: r.shortIds.length > 0 ? r.shortIds : [generateShortId()],
    };
  }
  if (valid.type === "vless") settings.flow = valid.flow;
  if (valid.method) {
    settings.method = valid.method;
    settings.serverKey = old.method === valid.method && old.serverKey
      ? old.serverKey
      : generateShadowsocksKey(valid.method);
  }
  return { settings, files };
}

function valuesOf(valid: ValidInbound, settings: InboundSettings): InboundValues {
  const { tag, type, listen, port, enabled } = valid;
  return { tag, type, listen, port, enabled, settings };
}

function sameValues(values: InboundValues, existing: Inbound): boolean {
  return values.tag === existing.tag && values.listen === existing.listen &&
    values.port === existing.port && values.enabled === existing.enabled &&
    stableJson(values.settings) === stableJson(existing.settings);
}

function stableJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      isPlainObject(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  );
}

/**
 * Runs `write` in one transaction, then writes pending TLS files as its last step, so a
 * failed file write rolls the rows back. Files are written to temporary names and renamed
 * into place; if the transaction still fails, new files are removed again.
 */
async function writeInTransaction(
  deps: InboundDeps,
  files: PendingTlsFiles | null,
  write: (trx: Transaction<Database>) => Promise<void>,
): Promise<void> {
  let renamed = false;
  try {
    await deps.db.transaction().execute(async (trx) => {
      await write(trx);
      if (files) {
        await writeTlsFiles(files);
        renamed = true;
      }
    });
  } catch (e) {
    if (files && renamed) {
      await Deno.remove(files.certificatePath).catch(() => {});
      await Deno.remove(files.keyPath).catch(() => {});
    }
    throw asConflict(e);
  }
}

async function writeTlsFiles(files: PendingTlsFiles): Promise<void> {
  await Deno.mkdir(files.dir, { recursive: true, mode: 0o700 });
  const suffix = `.tmp-${crypto.randomUUID()}`;
  const certTmp = files.certificatePath + suffix;
  const keyTmp = files.keyPath + suffix;
  try {
    await Deno.writeTextFile(certTmp, files.certificatePem, { mode: 0o644 });
    await Deno.writeTextFile(keyTmp, files.keyPem, { mode: 0o600 });
    await Deno.chmod(keyTmp, 0o600);
    await Deno.rename(certTmp, files.certificatePath);
    await Deno.rename(keyTmp, files.keyPath);
  } finally {
    await Deno.remove(certTmp).catch(() => {});
    await Deno.remove(keyTmp).catch(() => {});
  }
}

/** Removes self-signed files the panel made that the new settings no longer use. */
async function removeObsoleteTlsFiles(
  dataDir: string,
  before: TlsSettings | undefined,
  after: TlsSettings | undefined,
): Promise<void> {
  if (!before?.selfSigned) return;
  const dir = resolve(dataDir, "tls");
  const keep = new Set([after?.certificatePath, after?.keyPath]);
  for (const path of [before.certificatePath, before.keyPath]) {
    if (keep.has(path) || resolve(path, "..") !== dir) continue;
    await Deno.remove(path).catch(() => {});
  }
}

async function fileExists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Maps a UNIQUE constraint race (two writers at once) to the conflict it means. */
function asConflict(error: unknown): unknown {
  const message = error instanceof Error ? error.message : "";
  if (message.includes("UNIQUE constraint failed: inbounds.tag")) {
    const text = "Tag is already used by another inbound";
    return new ConflictError(text, { tag: text });
  }
  if (message.includes("UNIQUE constraint failed: inbounds.listen, inbounds.port")) {
    const text = "Port is already used by another inbound on this address";
    return new ConflictError(text, { port: text });
  }
  return error;
}

// ---------------------------------------------------------------------------------------
// Helpers

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
};

function label(field: string): string {
  return LABELS[field] ?? field;
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** A value cut short for an error message. */
function clip(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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

function throwIfAny(errors: FieldErrors): void {
  const messages = Object.values(errors);
  if (messages.length === 0) return;
  const more = messages.length > 1 ? ` (and ${messages.length - 1} more)` : "";
  throw new ValidationError(messages[0] + more, errors);
}
