/**
 * Inbounds: form fields (strings) and API JSON (typed) are parsed into one `InboundInput`,
 * validated into a complete inbound, checked against what exists, and only then written:
 * database changes in one transaction, self-signed TLS files last inside it. Bad input
 * throws `ValidationError` (422; 400 for unusable JSON bodies) or `ConflictError` (409)
 * and changes nothing. Every successful change asks the core to apply the new config.
 *
 * The steps live beside this file: `inbound_input.ts` (parsing), `inbound_validation.ts`,
 * `inbound_checks.ts` (tag, port, files), `inbound_settings.ts` (keys and certificates)
 * and `inbound_tls_files.ts` (self-signed files on disk).
 */
import type { Transaction } from "kysely";
import type { Db } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import {
  clearInboundTraffic,
  countInboundUsers,
  deleteInbound as deleteInboundRows,
  findInboundById,
  findInboundByTag,
  INBOUND_SORTS,
  type InboundSort,
  type InboundSummary,
  insertInbound,
  toggleInboundEnabled as toggleInboundRow,
  updateInbound as updateInboundRow,
} from "../../db/inbounds.ts";
import type { Config } from "../config.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import {
  checkConflicts,
  checkListenAddress,
  checkPortFreeOnHost,
  checkTlsFiles,
} from "./inbound_checks.ts";
import { inboundNotFound } from "./inbound_fields.ts";
import type { Msg } from "../i18n/msg.ts";
import { type InboundInput, inboundToInput, mergeInboundInput } from "./inbound_input.ts";
import {
  buildSettings,
  inboundVersion,
  onlyClientChanged,
  sameValues,
  valuesOf,
} from "./inbound_settings.ts";
import {
  type PendingTlsFiles,
  removeObsoleteTlsFiles,
  writeTlsFiles,
} from "./inbound_tls_files.ts";
import { validateInboundInput } from "./inbound_validation.ts";
import type { Inbound } from "../model.ts";
import type { CoreControl } from "../services.ts";
import type { HostProbe } from "../port_probe.ts";

export { INBOUND_SORTS, type InboundSort, type InboundSummary };

/** What the inbound operations need from the app. */
export interface InboundDeps {
  db: Db;
  config: Pick<Config, "dataDir" | "listenPort">;
  services: { core: Pick<CoreControl, "requestApply" | "currentConfig"> };
  now: () => number;
  /** What this host can bind; `realHost` unless a test is not about the host. */
  host?: HostProbe;
}

/** The inbound with this tag; throws `NotFoundError` when there is none. */
export async function getInbound(db: Db, tag: string): Promise<Inbound> {
  const inbound = await findInboundByTag(db, tag);
  if (!inbound) throw new NotFoundError(inboundNotFound(tag));
  return inbound;
}

/** An inbound with its user count, for API responses. */
export async function getInboundSummary(db: Db, tag: string): Promise<InboundSummary> {
  const inbound = await getInbound(db, tag);
  return { ...inbound, users: await countInboundUsers(db, inbound.id) };
}

/**
 * Creates an inbound: validates, checks TLS files, listen address, tag and port, generates
 * keys and certificates, then writes the row (and self-signed files) in one transaction.
 */
export async function createInbound(deps: InboundDeps, input: InboundInput): Promise<Inbound> {
  const valid = validateInboundInput(input);
  await checkTlsFiles(valid);
  await checkListenAddress(deps, valid, null);
  await checkConflicts(deps.db, deps.config, valid, null);
  await checkPortFreeOnHost(deps, valid, null);
  const { settings, files } = await buildSettings(valid, null, deps.config.dataDir);
  const values = valuesOf(valid, settings);
  await writeInTransaction(deps, files, async (trx) => {
    await checkConflicts(trx, deps.config, valid, null);
    await insertInbound(trx, values, deps.now());
  });
  const created = await getInbound(deps.db, valid.tag);
  deps.services.core.requestApply(`inbound "${valid.tag}" created`, { inboundIds: [created.id] });
  return created;
}

/**
 * Updates the inbound `tag` with `patch` merged over its stored values (absent keys keep
 * them; the type cannot change). An update that changes nothing writes nothing and does
 * not reload sing-box. Returns the inbound as stored afterwards.
 *
 * The update is prepared (validated, checked, keys and certificates generated) from the
 * row as read first; inside the write transaction the row is read again, and if another
 * request changed, renamed or deleted it meanwhile this one loses with a 409 before it
 * writes anything, files included. `expectedVersion` (from the edit form, see
 * `inboundVersion`) also refuses a form opened before someone else's change.
 */
export async function updateInbound(
  deps: InboundDeps,
  tag: string,
  patch: InboundInput,
  expectedVersion?: string,
): Promise<Inbound> {
  const existing = await getInbound(deps.db, tag);
  if (expectedVersion !== undefined && inboundVersion(existing) !== expectedVersion) {
    throw changedMeanwhile(existing.tag);
  }
  const valid = validateInboundInput(
    mergeInboundInput(inboundToInput(existing), patch),
    existing.type,
  );
  await checkTlsFiles(valid);
  await checkListenAddress(deps, valid, existing);
  await checkConflicts(deps.db, deps.config, valid, existing);
  await checkPortFreeOnHost(deps, valid, existing);
  const { settings, files } = await buildSettings(valid, existing, deps.config.dataDir);
  const values = valuesOf(valid, settings);
  if (sameValues(values, existing)) return existing;
  const seenBySingBox = !onlyClientChanged(values, existing);
  await writeInTransaction(deps, files, async (trx) => {
    const current = await findInboundById(trx, existing.id);
    if (!current || inboundVersion(current) !== inboundVersion(existing)) {
      throw changedMeanwhile(existing.tag);
    }
    await checkConflicts(trx, deps.config, valid, existing);
    await updateInboundRow(trx, existing.id, values, deps.now());
  });
  await removeObsoleteTlsFiles(deps.config.dataDir, existing.settings.tls, settings.tls);
  if (seenBySingBox) {
    deps.services.core.requestApply(`inbound "${valid.tag}" updated`, {
      inboundIds: [existing.id],
    });
  }
  return await getInbound(deps.db, valid.tag);
}

function changedMeanwhile(tag: string): ConflictError {
  return new ConflictError((m) => m.errors.inboundChangedMeanwhile(tag));
}

/**
 * Deletes an inbound with its user assignments and per-user traffic rows in one
 * transaction, then removes its self-signed files. Users keep their traffic totals.
 */
export async function deleteInbound(deps: InboundDeps, tag: string): Promise<void> {
  const existing = await getInbound(deps.db, tag);
  await deps.db.transaction().execute((trx) => deleteInboundRows(trx, existing.id));
  await removeObsoleteTlsFiles(deps.config.dataDir, existing.settings.tls, undefined);
  deps.services.core.requestApply(`inbound "${existing.tag}" deleted`, {
    inboundIds: [existing.id],
  });
}

/**
 * Sets the inbound's traffic totals to zero (its counters are independent of users', which
 * keep their numbers). sing-box sees no change, so nothing is applied.
 */
export async function resetInboundTraffic(deps: InboundDeps, tag: string): Promise<Inbound> {
  const existing = await getInbound(deps.db, tag);
  await clearInboundTraffic(deps.db, existing.id, deps.now());
  return await getInbound(deps.db, tag);
}

/** Enables a disabled inbound or disables an enabled one; returns the new state. */
export async function toggleInbound(deps: InboundDeps, tag: string): Promise<boolean> {
  const toggled = await toggleInboundRow(deps.db, tag, deps.now());
  if (toggled === undefined) throw new NotFoundError(inboundNotFound(tag));
  const { id, enabled } = toggled;
  deps.services.core.requestApply(`inbound "${tag}" ${enabled ? "enabled" : "disabled"}`, {
    inboundIds: [id],
  });
  return enabled;
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

/** Maps a UNIQUE constraint race (two writers at once) to the conflict it means. */
function asConflict(error: unknown): unknown {
  const message = error instanceof Error ? error.message : "";
  if (message.includes("UNIQUE constraint failed: inbounds.tag")) {
    const text: Msg = (m) => m.errors.tagTakenRace;
    return new ConflictError(text, { tag: text });
  }
  if (message.includes("UNIQUE constraint failed: inbounds.listen, inbounds.port")) {
    const text: Msg = (m) => m.errors.portTakenRace;
    return new ConflictError(text, { port: text });
  }
  return error;
}
