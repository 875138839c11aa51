/**
 * Inbound settings as stored: built from a valid inbound (keeping or generating keys and
 * self-signed certificates), compared with what is stored, and shown without secrets.
 */
import type { InboundValues } from "../../db/inbounds.ts";
import { editVersion, stableJson } from "../versions.ts";
import { fileExists, type PendingTlsFiles, selfSignedPaths } from "./inbound_tls_files.ts";
import type { ValidInbound } from "./inbound_validation.ts";
import {
  generateRealityKeyPair,
  generateSelfSignedCertificate,
  generateShadowsocksKey,
  generateShortId,
} from "../keys.ts";
import type { Inbound, InboundSettings, RealitySettings } from "../model.ts";

/** Settings safe to show: everything but the Reality private key. */
export function publicInboundSettings(settings: InboundSettings): InboundSettings {
  if (!settings.reality) return settings;
  const { privateKey: _secret, ...reality } = settings.reality;
  return { ...settings, reality: reality as RealitySettings };
}

/** Builds the stored settings, generating keys and certificate PEMs as needed. */
export async function buildSettings(
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
  if (valid.client) settings.client = valid.client;
  return { settings, files };
}

/** The row values to write for a valid inbound and its settings. */
export function valuesOf(valid: ValidInbound, settings: InboundSettings): InboundValues {
  const { tag, type, listen, port, enabled } = valid;
  return { tag, type, listen, port, enabled, settings };
}

/**
 * Whether `values` differ from the stored inbound only in the client override, which
 * sing-box never sees (so no reload is needed).
 */
export function onlyClientChanged(values: InboundValues, existing: Inbound): boolean {
  const { client: _new, ...next } = values.settings;
  const { client: _old, ...stored } = existing.settings;
  return sameValues({ ...values, settings: next }, { ...existing, settings: stored });
}

/** Whether writing `values` would change nothing in the stored inbound. */
export function sameValues(values: InboundValues, existing: Inbound): boolean {
  return values.tag === existing.tag && values.listen === existing.listen &&
    values.port === existing.port && values.enabled === existing.enabled &&
    stableJson(values.settings) === stableJson(existing.settings);
}

/** The edit version of a stored inbound: changes whenever anything an update writes does. */
export function inboundVersion(inbound: Inbound): string {
  const { tag, type, listen, port, enabled, settings } = inbound;
  return editVersion({ tag, type, listen, port, enabled, settings });
}
