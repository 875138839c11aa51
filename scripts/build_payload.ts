/**
 * What a singdeck executable must and must not embed, read from what `deno compile` prints
 * ("Embedded Files"), and which npm packages of deno.lock it needs: the rules behind
 * `deno task build` (scripts/build.ts) and tests/compile_test.ts.
 */
import { fileURLToPath } from "node:url";

/** The repository's root: `deno compile` runs here. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

interface Target {
  /** `deno compile --target`: which `denort` is downloaded and which npm packages apply. */
  denoTarget: string;
  /** The one libSQL native addon package the executable embeds. */
  addon: string;
  /** ELF `e_machine` of a runtime for this target. */
  elfMachine: number;
  libc: "gnu" | "musl";
}

/**
 * The targets `deno task build --target` takes. Deno publishes `denort` for linux gnu only;
 * the musl variant needs a musl-linked `denort` built from Deno's source (`DENORT_BIN`).
 */
export const TARGETS = {
  "linux-x64-gnu": {
    denoTarget: "x86_64-unknown-linux-gnu",
    addon: "@libsql/linux-x64-gnu",
    elfMachine: 0x3e,
    libc: "gnu",
  },
  "linux-arm64-gnu": {
    denoTarget: "aarch64-unknown-linux-gnu",
    addon: "@libsql/linux-arm64-gnu",
    elfMachine: 0xb7,
    libc: "gnu",
  },
  "linux-x64-musl": {
    denoTarget: "x86_64-unknown-linux-gnu",
    addon: "@libsql/linux-x64-musl",
    elfMachine: 0x3e,
    libc: "musl",
  },
} satisfies Record<string, Target>;
export type TargetName = keyof typeof TARGETS;
export const DEFAULT_TARGET: TargetName = "linux-x64-gnu";

/** npm packages only tests or benchmarks import (deno.json keeps them for `deno task test`). */
export const TEST_ONLY_PACKAGES = ["playwright-core"];

/** Packages a runtime dependency declares but loads only for features the panel never uses. */
export const UNUSED_AT_RUN_TIME: Record<string, string> = {
  "@grpc/proto-loader":
    "@grpc/grpc-js requires it only to serve channelz or ORCA; the panel is a gRPC client",
};

/** Lifecycle scripts Deno does not run (its "Ignored build scripts" warning), and why that is fine. */
export const IGNORED_BUILD_SCRIPTS: Record<string, string> = {
  protobufjs: "its postinstall only compares the version ranges in a dependent's " +
    "package.json; it builds nothing, and protobufjs is not embedded (only " +
    "@grpc/proto-loader needs it)",
};

/** The most the embedded files may add up to, in MiB as `deno compile` prints it ("MB"). */
export const EMBEDDED_LIMIT_BYTES = 45 * 1024 * 1024;

export const MIB = 1024 * 1024;
const LIBSQL_ADDON = /^@libsql\/(linux|darwin|win32)-/;

function isTypeOnly(name: string): boolean {
  return name.startsWith("@types/") || name === "undici-types";
}

/** `12.34 MB`, in MiB like `deno compile`. */
export function megabytes(bytes: number): string {
  return `${(bytes / MIB).toFixed(2)} MB`;
}

export interface EmbeddedEntry {
  /** Relative to the embedded root; npm packages under `.deno_compile_node_modules/`. */
  path: string;
  bytes: number;
  /** `dir/*`: every file of the directory is embedded. */
  wholeDirectory: boolean;
}

export interface EmbeddedListing {
  entries: EmbeddedEntry[];
  /** The total `deno compile` prints ("Files:"), duplicates counted once. */
  totalBytes: number;
}

const UNIT_BYTES: Record<string, number> = { B: 1, KB: 1024, MB: MIB, GB: 1024 * MIB };

function parseSize(text: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB)$/.exec(text.trim());
  if (!m) throw new Error(`Unreadable size "${text}" in deno compile's listing`);
  return Math.round(Number(m[1]) * UNIT_BYTES[m[2]]);
}

/** Removes terminal colour codes. */
export function plainText(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/**
 * Reads the "Embedded Files" tree and total that `deno compile` prints. Leaves are files
 * and collapsed directories (`name/*`); single-child chains are joined (`proto/stats.ts`).
 */
export function parseEmbeddedFiles(output: string): EmbeddedListing {
  const lines = plainText(output).split("\n");
  const start = lines.findIndex((l) => l.trim() === "Embedded Files");
  if (start < 0) throw new Error('deno compile printed no "Embedded Files" listing');
  const entries: EmbeddedEntry[] = [];
  const stack: string[] = [];
  let totalBytes: number | undefined;
  for (const line of lines.slice(start + 1)) {
    const total = /^(?:Files|Size): (\S+)$/.exec(line.trim());
    if (total) {
      totalBytes = parseSize(total[1]);
      break;
    }
    const node = /^((?:[│ ] )*)[├└]─([─┬]) (.+)$/.exec(line);
    if (!node) continue;
    const depth = node[1].length / 2;
    const isLeaf = node[2] === "─";
    const sized = /^(.*) \((\S+)(?: - \S+ unique)?\)$/.exec(node[3]);
    const name = sized ? sized[1] : node[3].replace(/ --> .*$/, "");
    stack.length = depth;
    stack.push(name.replace(/\/\*$/, ""));
    if (isLeaf && sized) {
      entries.push({
        path: stack.join("/"),
        bytes: parseSize(sized[2]),
        wholeDirectory: name.endsWith("/*"),
      });
    }
  }
  if (totalBytes === undefined) throw new Error("deno compile printed no embedded total");
  return { entries, totalBytes };
}

const NODE_MODULES = ".deno_compile_node_modules/";

/** The npm package names in a listing (`@scope/name` or `name`). */
export function embeddedPackages(listing: EmbeddedListing): Set<string> {
  const names = new Set<string>();
  for (const { path } of listing.entries) {
    if (!path.startsWith(NODE_MODULES)) continue;
    const parts = path.slice(NODE_MODULES.length).split("/").slice(1); // after the registry
    if (parts.length === 0) continue;
    names.add(parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  return names;
}

/** Whether the listing embeds the file at `path` (relative to the repository). */
export function embedsFile(listing: EmbeddedListing, path: string): boolean {
  return listing.entries.some((e) =>
    e.path === path || (e.wholeDirectory && path.startsWith(`${e.path}/`))
  );
}

/**
 * Worker modules: `deno compile` embeds a worker's code only when told to (`--include`).
 * Each is started as `new Worker(new URL("./x.ts", import.meta.url))` from its module.
 */
export const WORKER_MODULES = ["core/stats/poll_worker.ts"];

/** Files the panel reads at run time, relative to the repository: migrations, assets, workers. */
export function requiredFiles(root = ROOT): string[] {
  const files = ["main.ts", "db/migrations.ts", ...WORKER_MODULES];
  for (const dir of ["db/migrations", "static"]) {
    for (const entry of Deno.readDirSync(`${root}/${dir}`)) {
      if (entry.isFile && !entry.name.endsWith("_test.ts")) files.push(`${dir}/${entry.name}`);
    }
  }
  return files.sort();
}

/** Everything wrong with a payload for `target`; empty when it may ship. */
export function payloadProblems(
  listing: EmbeddedListing,
  target: TargetName,
  options: { excludedPackages?: Iterable<string>; root?: string } = {},
): string[] {
  const problems: string[] = [];
  const packages = embeddedPackages(listing);
  for (const name of packages) {
    if (TEST_ONLY_PACKAGES.includes(name)) problems.push(`Test-only package ${name} is embedded`);
    if (isTypeOnly(name)) problems.push(`Type-only package ${name} is embedded`);
  }
  for (const name of options.excludedPackages ?? []) {
    if (packages.has(name) && !isTypeOnly(name) && !TEST_ONLY_PACKAGES.includes(name)) {
      problems.push(`Package ${name} is embedded although the build leaves it out`);
    }
  }
  const addons = [...packages].filter((n) => LIBSQL_ADDON.test(n));
  const addon = TARGETS[target].addon;
  if (addons.length !== 1 || addons[0] !== addon) {
    problems.push(
      `Expected exactly one libSQL addon, ${addon}; embedded: ${addons.join(", ") || "none"}`,
    );
  }
  if (!packages.has("htmx.org")) problems.push("htmx (npm htmx.org) is not embedded");
  for (const file of requiredFiles(options.root)) {
    if (!embedsFile(listing, file)) problems.push(`${file} is not embedded`);
  }
  for (const { path } of listing.entries) {
    if (/^(tests|bench|scripts)(\/|$)/.test(path) || /_test\.tsx?$/.test(path)) {
      problems.push(`${path} (tests, benchmarks or scripts) is embedded`);
    }
  }
  if (listing.totalBytes > EMBEDDED_LIMIT_BYTES) {
    problems.push(
      `Embedded files total ${megabytes(listing.totalBytes)}, over the ` +
        `${megabytes(EMBEDDED_LIMIT_BYTES)} limit`,
    );
  }
  return problems;
}

export interface LockFile {
  specifiers: Record<string, string>;
  npm: Record<
    string,
    { dependencies?: string[]; optionalDependencies?: string[]; scripts?: boolean }
  >;
  workspace: { dependencies?: string[] };
}

export interface NpmPackage {
  name: string;
  version: string;
}

export interface NpmPlan {
  keep: NpmPackage[];
  /** Each left-out package with the reason. */
  leaveOut: (NpmPackage & { reason: string })[];
}

function splitNameVersion(spec: string): { name: string; version?: string } {
  const at = spec.indexOf("@", 1);
  return at < 0 ? { name: spec } : { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/** Names of the lock's packages with install scripts, which Deno does not run. */
export function packagesWithBuildScripts(lock: LockFile): string[] {
  return Object.entries(lock.npm).filter(([, p]) => p.scripts).map(([key]) =>
    splitNameVersion(key).name
  );
}

/**
 * Splits deno.lock's npm packages into those the executable for `target` needs and those
 * it leaves out: test-only packages, type declarations, other targets' libSQL addons,
 * UNUSED_AT_RUN_TIME packages, and whatever only those depend on.
 */
export function npmPlan(lock: LockFile, target: TargetName): NpmPlan {
  const keys = Object.keys(lock.npm);
  const byName = new Map<string, string[]>();
  for (const key of keys) {
    const { name } = splitNameVersion(key);
    byName.set(name, [...(byName.get(name) ?? []), key]);
  }
  const resolve = (dep: string): string | undefined =>
    lock.npm[dep] ? dep : byName.get(splitNameVersion(dep).name)?.[0];

  const leaveOutReason = (name: string): string | undefined => {
    if (TEST_ONLY_PACKAGES.includes(name)) return "only tests or benchmarks use it";
    if (isTypeOnly(name)) return "type declarations only";
    if (LIBSQL_ADDON.test(name) && name !== TARGETS[target].addon) {
      return "libSQL addon for another target";
    }
    return UNUSED_AT_RUN_TIME[name];
  };

  const kept = new Set<string>();
  const pending: string[] = [];
  for (const spec of lock.workspace.dependencies ?? []) {
    const resolved = lock.specifiers[spec];
    if (!spec.startsWith("npm:") || resolved === undefined) continue;
    const { name } = splitNameVersion(spec.slice(4));
    pending.push(`${name}@${resolved}`);
  }
  while (pending.length > 0) {
    const key = resolve(pending.pop()!);
    if (!key || kept.has(key) || leaveOutReason(splitNameVersion(key).name)) continue;
    kept.add(key);
    const entry = lock.npm[key];
    pending.push(...(entry.dependencies ?? []), ...(entry.optionalDependencies ?? []));
  }

  const plan: NpmPlan = { keep: [], leaveOut: [] };
  for (const key of keys) {
    const { name, version = "" } = splitNameVersion(key);
    const pkg = { name, version: version.split("_")[0] };
    if (kept.has(key)) plan.keep.push(pkg);
    else {
      plan.leaveOut.push({
        ...pkg,
        reason: leaveOutReason(name) ?? "only left-out packages need it",
      });
    }
  }
  return plan;
}
