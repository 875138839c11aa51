/**
 * Inbound validation: turns an `InboundInput` into a complete, well-formed `ValidInbound`,
 * or throws one `ValidationError` naming every bad field. Checks against other inbounds
 * and the host come later (`inbound_checks.ts`).
 */
import { isAbsolute } from "node:path";
import { isHostname, MAX_HOSTNAME_LENGTH, normalizeIpAddress } from "../addresses.ts";
import { unsafeTextProblem } from "../text.ts";
import { clip, type FieldErrors, label, throwIfAny } from "./inbound_fields.ts";
import {
  DEFAULT_LISTEN,
  DEFAULT_REALITY_HANDSHAKE_PORT,
  DEFAULT_SELF_SIGNED_SERVER_NAME,
  type InboundInput,
  MAX_SHORT_IDS,
  MAX_TAG_LENGTH,
  MAX_TEXT_LENGTH,
  type RealityInput,
  TLS_MODES,
  type TlsInput,
  tlsUse,
  VLESS_FLOWS,
  VLESS_SECURITIES,
} from "./inbound_input.ts";
import { validateClientOverride } from "../subscriptions/client_override.ts";
import {
  type ClientOverride,
  INBOUND_TYPES,
  type InboundType,
  SHADOWSOCKS_METHODS,
  type ShadowsocksMethod,
} from "../model.ts";

/** A validated inbound: every field present and well-formed, not yet checked against others. */
export interface ValidInbound {
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
  /** Where clients connect, when not the public address. */
  client?: ClientOverride;
}

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
    const problem = unsafeTextProblem(value);
    if (problem) {
      errors[field] = `${label(field)} ${problem}`;
      return null;
    }
    return value;
  };

  const tag = text("tag", input.tag, MAX_TAG_LENGTH);
  if (tag === "") errors.tag = "Tag is required";
  else if (tag !== null) {
    if (tag === "." || tag === "..") {
      errors.tag = `Tag "${tag}" is not allowed: it is a path segment of its own`;
    } else if (tag.includes("|") || tag.includes(">")) {
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
  let client: ClientOverride | undefined;

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
    const selfSigned = security === "tls" && tls?.mode === "self_signed";
    client = validateClientOverride(input.client, selfSigned ? "self_signed" : security, errors);

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
    ...(client ? { client } : {}),
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

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
