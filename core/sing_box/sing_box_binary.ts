/** Finding out what a core binary is: sing-box or singdeck-core, version and build tags. */
import type { CoreKind } from "./sing_box_config.ts";

export interface SingBoxBinaryInfo {
  /** singdeck-core (sing-box as a library, with the control service) or plain sing-box. */
  kind: CoreKind;
  /** The sing-box version (embedded, for singdeck-core). */
  version: string;
  /** singdeck-core's own version, or null for plain sing-box. */
  coreVersion: string | null;
  tags: string[];
  /** Whether traffic can be counted: sing-box built with the V2Ray API, or singdeck-core. */
  hasV2rayApi: boolean;
  /** Whether the Clash API is in (plain sing-box: close every connection before a stop). */
  hasClashApi: boolean;
}

/** The build tag that enables the V2Ray-compatible stats API. */
export const V2RAY_API_TAG = "with_v2ray_api";

/** Parses the output of `sing-box version` (or `singdeck-core version`, which adds a line). */
export function parseVersionOutput(output: string): SingBoxBinaryInfo | null {
  const version = /sing-box version (\S+)/.exec(output)?.[1];
  if (!version) return null;
  const tagsLine = /^Tags:\s*(.*)$/m.exec(output)?.[1] ?? "";
  const tags = tagsLine.split(",").map((t) => t.trim()).filter((t) => t !== "");
  const coreVersion = /^singdeck-core (\S+)/m.exec(output)?.[1] ?? null;
  return {
    kind: coreVersion ? "singdeck-core" : "sing-box",
    version,
    coreVersion,
    tags,
    hasV2rayApi: coreVersion !== null || tags.includes(V2RAY_API_TAG),
    hasClashApi: tags.includes("with_clash_api"),
  };
}

/**
 * Runs `sing-box version`. Returns null when the binary cannot be run (not found, not
 * executable) or does not answer like sing-box.
 */
export async function detectSingBox(binary: string): Promise<SingBoxBinaryInfo | null> {
  try {
    const out = await new Deno.Command(binary, {
      args: ["version"],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    if (!out.success) return null;
    return parseVersionOutput(new TextDecoder().decode(out.stdout));
  } catch {
    return null;
  }
}

/**
 * Runs `sing-box check -c file`; returns null when the config is valid, else the error
 * text sing-box printed (its FATAL line when there is one).
 */
export async function checkConfigFile(binary: string, file: string): Promise<string | null> {
  const out = await new Deno.Command(binary, {
    args: ["check", "-c", file, "--disable-color"],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  if (out.success) return null;
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  const fatal = text.split("\n").find((l) => l.includes("FATAL"));
  return (fatal ?? text).replace(/^.*FATAL\[\d+\]\s*/, "").trim() ||
    `sing-box check exited with code ${out.code}`;
}

/** How to get a sing-box with the stats API, for the UI and logs. */
export const HOW_TO_GET_SING_BOX =
  "Build one with the V2Ray API: go install -tags with_quic,with_utls,with_v2ray_api,with_clash_api " +
  "-ldflags=-checklinkname=0 github.com/sagernet/sing-box/cmd/sing-box@v1.14.1 " +
  "(or run scripts/install_sing_box.sh), then pass its path with --sing-box or SINGDECK_SING_BOX";
