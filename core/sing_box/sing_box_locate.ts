/**
 * Where the panel looks for its core when `--sing-box` / `SINGDECK_SING_BOX` names none.
 * singdeck-core first (user changes need no restarts): `singdeck-core` on PATH, then the
 * newest build `scripts/install_singdeck_core.sh` caches; then plain sing-box: `sing-box`
 * on PATH, then the build `scripts/install_sing_box.sh` caches. Both scripts use the same
 * cache directory: `$SINGDECK_CACHE_DIR`, else `$XDG_CACHE_HOME/singdeck`, else
 * `~/.cache/singdeck`.
 */

/** The sing-box version the panel generates configs for and the script builds. */
export const PINNED_SING_BOX_VERSION = "v1.14.1";

function cacheRoot(env: Record<string, string | undefined>): string {
  return env.SINGDECK_CACHE_DIR || `${env.XDG_CACHE_HOME || `${env.HOME ?? ""}/.cache`}/singdeck`;
}

/** The binary `scripts/install_sing_box.sh` caches (with or without the stats API). */
export function cachedSingBoxPath(
  env: Record<string, string | undefined>,
  flavour: "" | "-no-v2ray-api" = "",
): string {
  return `${cacheRoot(env)}/sing-box-${PINNED_SING_BOX_VERSION}${flavour}/bin/sing-box`;
}

/**
 * The newest singdeck-core `scripts/install_singdeck_core.sh` cached (one directory per
 * source hash), or null.
 */
export function cachedSingdeckCorePath(env: Record<string, string | undefined>): string | null {
  let newest: { path: string; mtime: number } | null = null;
  try {
    for (const entry of Deno.readDirSync(cacheRoot(env))) {
      if (!entry.isDirectory || !entry.name.startsWith("singdeck-core-")) continue;
      const path = `${cacheRoot(env)}/${entry.name}/bin/singdeck-core`;
      if (!isFile(path)) continue;
      const mtime = Deno.statSync(path).mtime?.getTime() ?? 0;
      if (!newest || mtime > newest.mtime) newest = { path, mtime };
    }
  } catch {
    return null;
  }
  return newest?.path ?? null;
}

/** The first file named `name` in the directories of `PATH`, or null. */
export function onPath(env: Record<string, string | undefined>, name = "sing-box"): string | null {
  for (const dir of (env.PATH ?? "").split(":")) {
    if (dir && isFile(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}

/**
 * The sing-box to run when none is configured, and how it was found, for the start-up
 * message; `path` is null when there is none.
 */
export function locateSingBox(env: Record<string, string | undefined>): {
  path: string | null;
  message: string;
} {
  const corePath = onPath(env, "singdeck-core");
  if (corePath) return { path: corePath, message: `core: using ${corePath} (from PATH)` };
  const coreCached = cachedSingdeckCorePath(env);
  if (coreCached) {
    return {
      path: coreCached,
      message: `core: using ${coreCached} (built by scripts/install_singdeck_core.sh)`,
    };
  }
  const path = onPath(env);
  if (path) {
    return {
      path,
      message: `sing-box: using ${path} (from PATH); every change restarts it, ` +
        "scripts/install_singdeck_core.sh builds singdeck-core, which needs no restarts",
    };
  }
  const cached = cachedSingBoxPath(env);
  if (isFile(cached)) {
    return {
      path: cached,
      message: `sing-box: using ${cached} (built by scripts/install_sing_box.sh)`,
    };
  }
  return {
    path: null,
    message:
      `sing-box: none found on PATH nor at ${cached}; run scripts/install_singdeck_core.sh ` +
      "(singdeck-core: sing-box as a library, no restarts) or scripts/install_sing_box.sh " +
      "(sing-box with the V2Ray API), or pass --sing-box / SINGDECK_SING_BOX",
  };
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
