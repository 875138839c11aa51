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
import type { Msg } from "../i18n/msg.ts";
import { type FieldErrors, isPlainObject, throwIfAny } from "./inbound_fields.ts";
import { WILDCARD_LISTENS } from "./inbound_input.ts";
import type { ValidInbound } from "./inbound_validation.ts";
import type { InboundDeps } from "./inbounds.ts";
import type { Inbound } from "../model.ts";
import { realHost } from "../port_probe.ts";
import { certificatePairFaults, type FileFault } from "../tls_pair.ts";

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
  const certificateFile = (f: FileFault): Msg => (m) =>
    m.errors.fileProblem(m.inboundForm.certificateFile, certificatePath, f.problem, f.detail);
  const keyFile = (f: FileFault): Msg => (m) =>
    m.errors.fileProblem(m.inboundForm.keyFile, keyPath, f.problem, f.detail);
  const cert = await readPemFile(certificatePath);
  if (cert.fault) errors["tls.certificatePath"] = certificateFile(cert.fault);
  const key = await readPemFile(keyPath);
  if (key.fault) errors["tls.keyPath"] = keyFile(key.fault);
  if (cert.text !== undefined && key.text !== undefined) {
    const faults = certificatePairFaults(cert.text, key.text);
    if (faults.certificate) errors["tls.certificatePath"] = certificateFile(faults.certificate);
    if (faults.key) errors["tls.keyPath"] = keyFile(faults.key);
    if (faults.match) errors["tls.keyPath"] = keyFile(faults.match);
  }
  throwIfAny(errors);
}

async function readPemFile(path: string): Promise<{ text?: string; fault?: FileFault }> {
  const fault = (problem: FileFault["problem"], detail = "") => ({ fault: { problem, detail } });
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) return fault("not_file");
    if (info.size > MAX_PEM_BYTES) return fault("too_large");
    return { text: await Deno.readTextFile(path) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return fault("missing");
    if (e instanceof Deno.errors.PermissionDenied) return fault("unreadable");
    return fault("cannot_read", (e as Error).message);
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
    const { listen } = valid;
    throwIfAny({ listen: (m) => m.errors.listenNotHere(listen, problem === "no_ipv6") });
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
  const { tag, port } = valid;
  if (sameTag && sameTag.id !== existing?.id) {
    const message: Msg = (m) => m.errors.tagTaken(tag);
    throw new ConflictError(message, { tag: message });
  }
  if (valid.port === config.listenPort) {
    const message: Msg = (m) => m.errors.portIsPanel(port);
    throw new ConflictError(message, { port: message });
  }
  const wildcard = (WILDCARD_LISTENS as readonly string[]).includes(valid.listen);
  const clash = await findPortClash(db, {
    port: valid.port,
    listens: wildcard ? null : [valid.listen, ...WILDCARD_LISTENS],
    excludeId: existing?.id,
  });
  if (clash) {
    const message: Msg = (m) => m.errors.portTaken(port, clash.tag);
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
    const { port, listen } = valid;
    const message: Msg = (m) => m.errors.portTakenOnHost(port, transport, listen);
    throw new ConflictError(message, { port: message });
  }
}
