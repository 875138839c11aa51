/**
 * Self-signed TLS files the panel keeps for inbounds under `<data dir>/tls`: where they
 * live, writing a new pair atomically, and removing pairs no longer used.
 */
import { join, resolve } from "node:path";
import type { TlsSettings } from "../model.ts";

/** Where the panel keeps a self-signed certificate and key for a tag (absolute paths). */
export function selfSignedPaths(dataDir: string, tag: string) {
  const dir = resolve(dataDir, "tls");
  return { dir, certificatePath: join(dir, `${tag}.crt`), keyPath: join(dir, `${tag}.key`) };
}

/** Self-signed files to write (PEM already generated). */
export interface PendingTlsFiles {
  dir: string;
  certificatePath: string;
  keyPath: string;
  certificatePem: string;
  keyPem: string;
}

/**
 * Writes a self-signed pair: creates the directory, writes certificate (0644) and key (0600)
 * to temporary names, then renames them into place.
 */
export async function writeTlsFiles(files: PendingTlsFiles): Promise<void> {
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
export async function removeObsoleteTlsFiles(
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

/** Whether `path` is an existing regular file. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
