/**
 * Where the panel looks for sing-box when `--sing-box` / `SINGDECK_SING_BOX` names none:
 * `sing-box` on PATH, then the build `scripts/install_sing_box.sh` caches (the same cache
 * directory the script uses: `$SINGDECK_CACHE_DIR`, else `$XDG_CACHE_HOME/singdeck`, else
 * `~/.cache/singdeck`).
 */

/** The sing-box version the panel generates configs for and the script builds. */
export const PINNED_SING_BOX_VERSION = "v1.14.1";

/** The binary `scripts/install_sing_box.sh` caches (with or without the stats API). */
export function cachedSingBoxPath(
  env: Record<string, string | undefined>,
  flavour: "" | "-no-v2ray-api" = "",
): string {
  const root = env.SINGDECK_CACHE_DIR ||
    `${env.XDG_CACHE_HOME || `${env.HOME ?? ""}/.cache`}/singdeck`;
  return `${root}/sing-box-${PINNED_SING_BOX_VERSION}${flavour}/bin/sing-box`;
}

/** The first `sing-box` file in the directories of `PATH`, or null. */
export function singBoxOnPath(env: Record<string, string | undefined>): string | null {
  for (const dir of (env.PATH ?? "").split(":")) {
    if (dir && isFile(`${dir}/sing-box`)) return `${dir}/sing-box`;
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
  const onPath = singBoxOnPath(env);
  if (onPath) return { path: onPath, message: `sing-box: using ${onPath} (from PATH)` };
  const cached = cachedSingBoxPath(env);
  if (isFile(cached)) {
    return {
      path: cached,
      message: `sing-box: using ${cached} (built by scripts/install_sing_box.sh)`,
    };
  }
  return {
    path: null,
    message: `sing-box: none found on PATH nor at ${cached}; run scripts/install_sing_box.sh ` +
      "to build one with the V2Ray API (or pass --sing-box / SINGDECK_SING_BOX)",
  };
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
