/** singdeck's version, printed by `--version`. */
export const VERSION = "0.1.0";

/**
 * `singdeck 0.1.0 (Deno 2.9.6, x86_64-unknown-linux-gnu)`: the panel's version and the
 * runtime it runs on, which in a compiled executable is the embedded `denort`.
 */
export function versionText(): string {
  return `singdeck ${VERSION} (Deno ${Deno.version.deno}, ${Deno.build.target})`;
}
