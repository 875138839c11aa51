/**
 * Inbound validation: turns an `InboundInput` into a complete, well-formed `ValidInbound`,
 * or throws one `ValidationError` naming every bad field. Checks against other inbounds
 * and the host come later (`inbound_checks.ts`).
 */
import { isAbsolute } from "node:path";
import { isHostname, MAX_HOSTNAME_LENGTH, normalizeIpAddress } from "../addresses.ts";
import { unsafeTextProblem } from "../text.ts";
import { clip, type FieldErrors, label, throwIfAny } from "./inbound_fields.ts";
import type { Messages } from "../i18n/en.ts";
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
      errors[field] = (m) => m.errors.tooLong(label(field, m), max);
      return null;
    }
    const problem = unsafeTextProblem(value);
    if (problem) {
      errors[field] = (m) => m.errors.unsafeText(label(field, m), problem);
      return null;
    }
    return value;
  };

  const tag = text("tag", input.tag, MAX_TAG_LENGTH);
  if (tag === "") errors.tag = (m) => m.errors.required(m.inboundFields.tag);
  else if (tag !== null) {
    if (tag === "." || tag === "..") {
      errors.tag = (m) => m.errors.tagPathSegment(tag);
    } else if (tag.includes("|") || tag.includes(">")) {
      errors.tag = (m) => m.errors.tagSeparators;
    } else if (!/^[A-Za-z0-9._-]{1,48}$/.test(tag)) {
      errors.tag = (m) => m.errors.tagCharacters;
    }
  }

  const typeText = text("type", input.type, 32);
  let type: InboundType | null = null;
  if (typeText === "") errors.type = (m) => m.errors.required(m.inboundFields.type);
  else if (typeText !== null) {
    if (!(INBOUND_TYPES as readonly string[]).includes(typeText)) {
      errors.type = (m) => m.errors.typeUnsupported(typeText, INBOUND_TYPES.join(", "));
    } else if (existingType && typeText !== existingType) {
      errors.type = (m) => m.errors.typeFixed(existingType);
    } else type = typeText as InboundType;
  }

  const listenText = text("listen", input.listen, 64);
  let listen = DEFAULT_LISTEN;
  if (listenText) {
    const normalized = normalizeIpAddress(listenText);
    if (normalized === null) {
      errors.listen = (m) => m.errors.listenNotIp(listenText);
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
    const known = type;
    if (use === "none" && tlsMode !== "none") {
      errors["tls.mode"] = (m) => m.errors.tlsNotApplicable(known);
    }
    if (type !== "vless" && input.reality) {
      errors.reality = (m) => m.errors.onlyFor(m.inboundFields.reality, "vless");
    }
    if (type !== "vless" && input.flow) {
      errors.flow = (m) => m.errors.onlyFor(m.inboundFields.flow, "vless");
    }
    if (type !== "shadowsocks" && input.method) {
      errors.method = (m) => m.errors.onlyFor(m.inboundFields.method, "shadowsocks");
    }

    let security: string = "none";
    if (type === "vless") {
      security = input.security ??
        (input.reality ? "reality" : tlsMode !== "none" ? "tls" : "none");
      if (input.security === undefined && input.reality && tlsMode !== "none") {
        errors.reality = (m) => m.errors.tlsOrReality;
      } else if (!(VLESS_SECURITIES as readonly string[]).includes(security)) {
        const given = clip(security);
        errors.security = (m) =>
          m.errors.notOneOf(m.inboundFields.security, given, VLESS_SECURITIES.join(", "));
      }
    } else if (use === "required") security = "tls";
    else if (use === "optional") security = tlsMode === "none" ? "none" : "tls";

    if (security === "tls") {
      if (use === "required" && tlsMode === "none") {
        errors["tls.mode"] = (m) => m.errors.tlsRequired(known);
      } else tls = validateTls(input.tls ?? {}, errors, text);
    }
    if (security === "reality") reality = validateReality(input.reality ?? {}, errors, text);
    const selfSigned = security === "tls" && tls?.mode === "self_signed";
    client = validateClientOverride(input.client, selfSigned ? "self_signed" : security, errors);

    if (type === "vless") {
      const flowText = text("flow", input.flow, 32) ?? "";
      if (!(VLESS_FLOWS as readonly string[]).includes(flowText)) {
        errors.flow = (m) =>
          m.errors.notOneOf(m.inboundFields.flow, flowText, '"", xtls-rprx-vision');
      } else {
        const chosen = flowText as ValidInbound["flow"];
        flow = chosen;
        if (flow && security !== "tls" && security !== "reality") {
          errors.flow = (m) => m.errors.flowNeedsTls(chosen);
        }
      }
    }
    if (type === "shadowsocks") {
      const methodText = text("method", input.method, 64);
      if (methodText === "") errors.method = (m) => m.errors.required(m.inboundFields.method);
      else if (methodText !== null) {
        if (methodText === "2022-blake3-chacha20-poly1305") {
          errors.method = (m) => m.errors.methodSingleUser(methodText);
        } else if (!Object.hasOwn(SHADOWSOCKS_METHODS, methodText)) {
          const methods = Object.keys(SHADOWSOCKS_METHODS).join(", ");
          errors.method = (m) => m.errors.notOneOf(m.inboundFields.method, methodText, methods);
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
    const given = clip(mode);
    errors["tls.mode"] = mode === "" || mode === "none"
      ? (m) => m.errors.chooseCertificate
      : (m) => m.errors.notOneOf(m.inboundFields["tls.mode"], given, TLS_MODES.join(", "));
    return null;
  }
  let serverName = text("tls.serverName", tls.serverName, MAX_HOSTNAME_LENGTH);
  if (serverName === "" && mode === "self_signed") serverName = DEFAULT_SELF_SIGNED_SERVER_NAME;
  if (serverName === "") {
    errors["tls.serverName"] = (m) => m.errors.serverNameRequired;
  } else if (serverName !== null && !isHostname(serverName) && !normalizeIpAddress(serverName)) {
    const given = serverName;
    errors["tls.serverName"] = (m) => m.errors.notHost(m.inboundForm.serverName, given);
  }
  let certificatePath = "";
  let keyPath = "";
  if (mode === "files") {
    const check = (field: "tls.certificatePath" | "tls.keyPath", value: string | undefined) => {
      const path = text(field, value);
      if (path === "") errors[field] = (m) => m.errors.required(m.inboundFields[field]);
      else if (path !== null && !isAbsolute(path)) {
        errors[field] = (m) => m.errors.pathNotAbsolute(m.inboundFields[field], path);
      } else return path ?? "";
      return "";
    };
    certificatePath = check("tls.certificatePath", tls.certificatePath);
    keyPath = check("tls.keyPath", tls.keyPath);
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
    errors["reality.handshakeServer"] = (m) => m.errors.handshakeServerRequired;
  } else if (
    handshakeServer !== null && !isHostname(handshakeServer) &&
    !normalizeIpAddress(handshakeServer)
  ) {
    const given = handshakeServer;
    errors["reality.handshakeServer"] = (m) =>
      m.errors.notHost(m.inboundFields["reality.handshakeServer"], given);
  }
  const handshakePort = reality.handshakePort === undefined || reality.handshakePort === ""
    ? DEFAULT_REALITY_HANDSHAKE_PORT
    : parsePort("reality.handshakePort", reality.handshakePort, errors, false);
  let serverName = text("reality.serverName", reality.serverName, MAX_HOSTNAME_LENGTH);
  if (serverName === "" && handshakeServer && isHostname(handshakeServer)) {
    serverName = handshakeServer;
  } else if (serverName === "" && handshakeServer) {
    errors["reality.serverName"] = (m) => m.errors.realityServerNameRequired;
  } else if (serverName && !isHostname(serverName)) {
    const name = serverName;
    errors["reality.serverName"] = (m) => m.errors.notHostName(m.inboundForm.serverName, name);
  }
  const shortIds: string[] = [];
  const given = reality.shortIds ?? [];
  if (given.length > MAX_SHORT_IDS) {
    errors["reality.shortIds"] = (m) => m.errors.tooManyShortIds(MAX_SHORT_IDS);
  }
  for (const id of given.slice(0, MAX_SHORT_IDS)) {
    if (!/^(?:[0-9a-fA-F]{2}){1,8}$/.test(id)) {
      const bad = clip(id, 32);
      errors["reality.shortIds"] = (m) => m.errors.shortIdFormat(bad);
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
  field: "port" | "reality.handshakePort",
  value: string | number | undefined,
  errors: FieldErrors,
  required: boolean,
): number | null {
  const name = (m: Messages) => m.inboundFields[field];
  if (value === undefined || value === "") {
    if (required) errors[field] = (m) => m.errors.required(name(m));
    return null;
  }
  const port = typeof value === "number" ? value : /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    errors[field] = (m) => m.errors.wholeNumber(name(m), 1, 65535);
    return null;
  }
  return port;
}
