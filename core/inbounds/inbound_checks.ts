/**
 * Checks of a valid inbound against the world, before anything is written: its TLS files
 * are a readable PEM certificate and key that belong together, its listen address is one
 * of this machine's (`ValidationError`), its tag and port are free among the stored
 * inbounds (`ConflictError`), and no other program on this host holds its port.
 */
import type { Transaction } from "kysely";
import type { Db } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import { findInboundByTag, findPortClash } from "../../db/inbounds.ts";
import { ConflictError } from "../errors.ts";
import { type FieldErrors, isPlainObject, throwIfAny } from "./inbound_fields.ts";
import { WILDCARD_LISTENS } from "./inbound_input.ts";
import type { ValidInbound } from "./inbound_validation.ts";
import type { InboundDeps } from "./inbounds.ts";
import type { Inbound } from "../model.ts";
import { realHost } from "../port_probe.ts";
import { certificatePairProblems } from "../tls_pair.ts";

type Q = Db | Transaction<Database>;

/** Certificate and key files larger than this are not what they claim to be. */
const MAX_PEM_BYTES = 1024 * 1024;

/**
 * Refuses certificate and key files (mode "files") that are missing, not files,
 * unreadable, not PEM, or not a pair: sing-box would refuse them at the next apply.
 */
export async function checkTlsFiles(valid: ValidInbound): Promise<void> {
  if (valid.tls?.mode !== "files") return;
  const errors: FieldErrors = {};
  const { certificatePath, keyPath } = valid.tls;
  const cert = await readPemFile(certificatePath, "Certificate file");
  if (cert.error) errors["tls.certificatePath"] = cert.error;
  const key = await readPemFile(keyPath, "Key file");
  if (key.error) errors["tls.keyPath"] = key.error;
  if (cert.text !== undefined && key.text !== undefined) {
    const problems = certificatePairProblems(cert.text, key.text);
    if (problems.certificate) {
      errors["tls.certificatePath"] =
        `Certificate file "${certificatePath}" ${problems.certificate}`;
    }
    if (problems.key) errors["tls.keyPath"] = `Key file "${keyPath}" ${problems.key}`;
    if (problems.match) errors["tls.keyPath"] = `Key file "${keyPath}" ${problems.match}`;
  }
  throwIfAny(errors);
}

async function readPemFile(
  path: string,
  what: string,
): Promise<{ text?: string; error?: string }> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) return { error: `${what} "${path}" is not a file` };
    if (info.size > MAX_PEM_BYTES) {
      return { error: `${what} "${path}" is larger than 1 MB: not a PEM file` };
    }
    return { text: await Deno.readTextFile(path) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { error: `${what} "${path}" does not exist` };
    if (e instanceof Deno.errors.PermissionDenied) {
      return { error: `${what} "${path}" is not readable` };
    }
    return { error: `${what} "${path}" cannot be read: ${(e as Error).message}` };
  }
}

/**
 * Refuses a listen address this machine does not have (sing-box could not bind it and
 * every later apply would fail). An unchanged address is not probed again.
 */
export async function checkListenAddress(
  deps: InboundDeps,
  valid: ValidInbound,
  existing: Inbound | null,
): Promise<void> {
  if (existing?.listen === valid.listen) return;
  if ((WILDCARD_LISTENS as readonly string[]).includes(valid.listen)) return;
  const problem = await (deps.host ?? realHost).listenAddressProblem(valid.listen);
  if (problem) {
    const message = `Listen address ${valid.listen} ${problem}`;
    throwIfAny({ listen: message });
  }
}

/**
 * Refuses a tag another inbound has, the panel's own port, and a port another inbound
 * listens on at the same address (or at every address).
 */
export async function checkConflicts(
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
export async function checkPortFreeOnHost(
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
    transport = await (deps.host ?? realHost).portTakenOn(valid.listen, valid.port, valid.type);
  } catch {
    return;
  }
  if (transport) {
    const message =
      `Port ${valid.port} (${transport}) on ${valid.listen} is in use by another program`;
    throw new ConflictError(message, { port: message });
  }
}
