/**
 * The data dir holds the database (every user's credentials, Reality and Shadowsocks keys,
 * API token hashes) and the generated sing-box config: only the panel's user may read it.
 */

/**
 * Creates the data dir with mode 0700 (parents too) when it does not exist. An existing
 * directory is not changed (it may be shared, like /var/lib); when others can read or
 * enter it, the returned warning says so, to be printed at start.
 */
export async function ensureDataDir(dir: string): Promise<string | null> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw new Error(`Data dir "${dir}" exists and is not a directory`);
    const mode = info.mode ?? 0;
    if ((mode & 0o077) === 0) return null;
    return `warning: data dir "${dir}" has mode ${(mode & 0o777).toString(8)}, so other ` +
      `users can list it; run chmod 700 "${dir}" (the database in it is kept 0600)`;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await Deno.chmod(dir, 0o700); // whatever the umask
  return null;
}
