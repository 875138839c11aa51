/**
 * `deno task build [--target T] [--output FILE] [--no-check]`: compiles the panel into one
 * executable that embeds only what the panel runs, prints its size and the embedded total,
 * and fails (leaving no executable behind) when the payload breaks a rule: a test-only or
 * type-only package embedded, not exactly the target's libSQL addon, migrations, `static/`
 * assets or htmx missing, or more than 45 MB embedded.
 *
 * `deno compile` appends the payload to `denort`, Deno's runtime without its tools, which
 * must be of exactly the Deno version that compiles. It downloads it from dl.deno.land
 * unless `DENORT_BIN` names a local copy; where it cannot, this script says what to get.
 * With `DENORT_BIN` pointed at the `deno` binary itself the payload is still written and
 * checked, but the file runs as `deno`, not as singdeck: the tests use that (they check the
 * payload, not a runnable binary).
 *
 * What is left out, and why:
 * - packages only tests or benchmarks import (`--exclude-unused-npm` keeps only what the
 *   module graph of `main.ts` reaches; TEST_ONLY_PACKAGES are checked to be absent);
 * - type declarations (`@types/*`, `undici-types`): dependencies of `@types/ws` and
 *   `protobufjs`, never loaded;
 * - the libSQL addons of other targets (npm installs both gnu and musl for linux-x64);
 * - UNUSED_AT_RUN_TIME packages and what only they depend on.
 */
import {
  DEFAULT_TARGET,
  EMBEDDED_LIMIT_BYTES,
  type EmbeddedListing,
  IGNORED_BUILD_SCRIPTS,
  type LockFile,
  megabytes,
  type NpmPlan,
  npmPlan,
  packagesWithBuildScripts,
  parseEmbeddedFiles,
  payloadProblems,
  plainText,
  ROOT,
  type TargetName,
  TARGETS,
  WORKER_MODULES,
} from "./build_payload.ts";
import { checkRuntime, denortNeeded, type Runtime } from "./build_runtime.ts";

/** Deno's cache folders (`deno info --json`). */
async function denoCaches(): Promise<{ denoDir: string; npmCache: string }> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  return JSON.parse(new TextDecoder().decode(info.stdout));
}

/** The `--exclude` paths of left-out packages: their folders in Deno's npm cache. */
function excludePaths(plan: NpmPlan, npmCache: string): string[] {
  const registries: string[] = [];
  try {
    for (const entry of Deno.readDirSync(npmCache)) {
      if (entry.isDirectory) registries.push(`${npmCache}/${entry.name}`);
    }
  } catch {
    // No npm cache yet: deno compile fills it, and nothing is there to leave out.
  }
  return plan.leaveOut.flatMap((p) => registries.map((r) => `${r}/${p.name}/${p.version}`));
}

export interface BuildOptions {
  target: TargetName;
  output: string;
  /** Type-check `main.ts` first (deno compile's default). */
  check: boolean;
  /** `DENORT_BIN`; undefined lets deno compile download `denort`. */
  denortBin?: string;
}

export interface BuildResult {
  output: string;
  /** What deno compile printed, without colours. */
  log: string;
  listing: EmbeddedListing;
  executableBytes: number;
  runtime?: Runtime;
  plan: NpmPlan;
  /** Packages whose install scripts Deno skips (see IGNORED_BUILD_SCRIPTS). */
  buildScripts: string[];
}

/** A build that failed; `message` says why and what to do. */
export class BuildError extends Error {
  override name = "BuildError";
}

/** Copies a child's output through while keeping it. */
async function passThrough(
  stream: ReadableStream<Uint8Array>,
  sink: { writeSync(p: Uint8Array): number },
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    for (let done = 0; done < chunk.length;) done += sink.writeSync(chunk.subarray(done));
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

async function removeIfEmpty(dir: string): Promise<void> {
  try {
    await Deno.remove(dir); // fails unless empty
  } catch {
    // not empty, or already gone
  }
}

function parentDir(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash > 0 ? path.slice(0, slash) : slash === 0 ? "/" : ".";
}

/** Runs deno compile for `options.target` and checks the payload. */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const target = TARGETS[options.target];
  if (options.denortBin === undefined && target.libc === "musl") {
    throw new BuildError(denortNeeded(options.target));
  }
  const runtime = options.denortBin === undefined
    ? undefined
    : await checkRuntime(options.denortBin, options.target).catch((e) => {
      throw new BuildError(e.message);
    });
  const lock: LockFile = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.lock`));
  const unexplained = packagesWithBuildScripts(lock).filter((p) => !IGNORED_BUILD_SCRIPTS[p]);
  if (unexplained.length > 0) {
    throw new BuildError(
      `Deno does not run the install scripts of ${unexplained.join(", ")}: find out whether ` +
        `the executable needs what they do, then say why not in IGNORED_BUILD_SCRIPTS ` +
        `(scripts/build_payload.ts)`,
    );
  }
  const plan = npmPlan(lock, options.target);
  const caches = await denoCaches();
  const outDir = parentDir(options.output);
  const outDirExisted = await Deno.stat(outDir).then(() => true, () => false);

  const env = Deno.env.toObject();
  delete env.DENORT_BIN;
  if (options.denortBin !== undefined) env.DENORT_BIN = options.denortBin;
  const args = [
    "compile",
    "--allow-all",
    // The poll worker collects its garbage after each poll (core/stats/poll_worker.ts);
    // young generations of 2 MB keep ~80 MB less resident at 100,000 users, at no
    // measurable cost in poll or page times (bench/memory_bench.ts).
    "--v8-flags=--expose-gc,--max-semi-space-size=2",
    "--exclude-unused-npm",
    ...(options.check ? [] : ["--no-check"]),
    "--target",
    target.denoTarget,
    "--output",
    options.output,
    ...excludePaths(plan, caches.npmCache).flatMap((p) => ["--exclude", p]),
    ...WORKER_MODULES.flatMap((p) => ["--include", p]),
    "main.ts",
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const [out, err, status] = await Promise.all([
    passThrough(child.stdout, Deno.stdout),
    passThrough(child.stderr, Deno.stderr),
    child.status,
  ]);
  const log = plainText(out + err);
  // A failed build leaves neither its executable nor a dist/ it created.
  const failed = async (message: string, removeOutput: boolean): Promise<never> => {
    if (removeOutput) await Deno.remove(options.output).catch(() => {});
    if (!outDirExisted) await removeIfEmpty(outDir);
    throw new BuildError(message);
  };
  if (!status.success) {
    const download = /dl\.deno\.land|base binary/i.test(log);
    return failed(
      download && options.denortBin === undefined
        ? `deno compile could not download its runtime, denort ${Deno.version.deno}, for ` +
          `${options.target}.\n${denortNeeded(options.target)}\nOr put the zip in ` +
          `Deno's cache as ${caches.denoDir}/dl/release/v${Deno.version.deno}/denort-` +
          `${target.denoTarget}.zip`
        : `deno compile failed (exit code ${status.code})`,
      false,
    );
  }

  let listing: EmbeddedListing;
  try {
    listing = parseEmbeddedFiles(log);
  } catch (e) {
    return failed((e as Error).message, true);
  }
  const problems = payloadProblems(listing, options.target, {
    excludedPackages: plan.leaveOut.map((p) => p.name),
  });
  if (problems.length > 0) {
    return failed(`The payload may not ship:\n- ${problems.join("\n- ")}`, true);
  }
  const executableBytes = (await Deno.stat(options.output)).size;
  return {
    output: options.output,
    log,
    listing,
    executableBytes,
    runtime,
    plan,
    buildScripts: packagesWithBuildScripts(lock),
  };
}

/** The summary `deno task build` prints after a build. */
export function summary(result: BuildResult, target: TargetName): string {
  const lines = [
    `singdeck for ${target}: ${result.output}`,
    `  embedded files  ${megabytes(result.listing.totalBytes)} ` +
    `(limit ${megabytes(EMBEDDED_LIMIT_BYTES)})`,
  ];
  const exe = megabytes(result.executableBytes);
  if (result.runtime) {
    const payload = result.executableBytes - result.runtime.bytes;
    lines.push(
      `  executable      ${exe} = runtime ${megabytes(result.runtime.bytes)} ` +
        `(${result.runtime.path}) + payload ${megabytes(payload)}`,
    );
    if (result.runtime.isDenoCli) {
      lines.push(
        `  DENORT_BIN is the deno CLI, not denort: the file holds the checked payload but ` +
          `runs as deno, not as singdeck. With denort ${Deno.version.deno} the executable ` +
          `is ${megabytes(payload)} + the size of denort.`,
      );
    }
  } else {
    lines.push(`  executable      ${exe}`);
  }
  const byReason = Map.groupBy(result.plan.leaveOut, (p) => p.reason);
  lines.push("  left out (npm)");
  for (const [reason, packages] of byReason) {
    lines.push(`    ${reason}: ${packages.map((p) => p.name).join(", ")}`);
  }
  for (const name of result.buildScripts) {
    lines.push(
      `  Deno's warning "Ignored build scripts for packages: npm:${name}" is harmless: ` +
        IGNORED_BUILD_SCRIPTS[name],
    );
  }
  return lines.join("\n");
}

const HELP = `deno task build [--target TARGET] [--output FILE] [--no-check]

Compiles singdeck into one executable: dist/singdeck for ${DEFAULT_TARGET}, else
dist/singdeck-TARGET. Targets: ${Object.keys(TARGETS).join(", ")}.
DENORT_BIN: a local denort of exactly Deno ${Deno.version.deno} for the target
(deno compile downloads it from dl.deno.land otherwise).`;

function parseArgs(args: string[]): BuildOptions | string {
  let target: TargetName = DEFAULT_TARGET;
  let output: string | undefined;
  let check = true;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = () => inline ?? args[++i];
    if (flag === "--target") {
      const t = value();
      if (!(t in TARGETS)) return `Unknown target "${t}"\n\n${HELP}`;
      target = t as TargetName;
    } else if (flag === "--output") output = value();
    else if (flag === "--no-check") check = false;
    else if (flag === "--help" || flag === "-h") return HELP;
    else return `Unknown argument "${args[i]}"\n\n${HELP}`;
  }
  output ??= target === DEFAULT_TARGET ? "dist/singdeck" : `dist/singdeck-${target}`;
  if (!output.startsWith("/")) output = `${Deno.cwd()}/${output}`;
  return { target, output, check, denortBin: Deno.env.get("DENORT_BIN") || undefined };
}

if (import.meta.main) {
  const options = parseArgs(Deno.args);
  if (typeof options === "string") {
    console.log(options);
    Deno.exit(options === HELP ? 0 : 2);
  }
  try {
    const started = Date.now();
    const result = await build(options);
    console.log(`\n${summary(result, options.target)}`);
    console.log(`  built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    console.error(`\nbuild failed: ${e.message}`);
    Deno.exit(1);
  }
}
