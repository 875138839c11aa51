/**
 * `deno task build`: what `deno compile` embeds in the executable.
 *
 * These tests check the PAYLOAD, not a runnable binary. This machine cannot fetch `denort`
 * (Deno's runtime for compiled programs), so the build runs with `DENORT_BIN` set to the
 * `deno` CLI: `deno compile` then appends the same payload to `deno`, and prints the same
 * "Embedded Files" listing, but the file it writes runs as `deno`, not as singdeck.
 */
import {
  assert,
  assertEquals,
  assertGreater,
  assertLess,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import {
  EMBEDDED_LIMIT_BYTES,
  type EmbeddedListing,
  embeddedPackages,
  embedsFile,
  parseEmbeddedFiles,
  payloadProblems,
  ROOT,
} from "../scripts/build_payload.ts";
import { VERSION } from "../core/version.ts";

const DENO = Deno.execPath();

async function run(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; unset?: string[] } = {},
) {
  const env: Record<string, string> = { ...Deno.env.toObject(), NO_COLOR: "1", ...options.env };
  for (const name of ["DENORT_BIN", ...(options.unset ?? [])]) {
    if (!options.env?.[name]) delete env[name];
  }
  const out = await new Deno.Command(DENO, {
    args,
    cwd: options.cwd ?? ROOT,
    env,
    clearEnv: true,
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** The local source files a listing embeds, with collapsed directories (`dir/*`) expanded. */
function embeddedSourceFiles(listing: EmbeddedListing): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(`${ROOT}/${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else files.push(path);
    }
  };
  for (const entry of listing.entries) {
    if (entry.path.startsWith(".deno_compile_node_modules/")) continue;
    if (entry.wholeDirectory) walk(entry.path);
    else files.push(entry.path);
  }
  return files.filter((f) => /\.(ts|tsx|js)$/.test(f) && embedsFile(listing, f));
}

Deno.test("deno task build embeds migrations, assets, htmx and one libSQL addon, and no test or type packages (payload check, not a runnable binary)", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "singdeck-build-" });
  try {
    const output = `${tmp}/dist/singdeck`;
    const built = await run(["task", "build", "--no-check", "--output", output], {
      env: { DENORT_BIN: DENO },
    });
    assertEquals(built.code, 0, built.stderr);
    const listing = parseEmbeddedFiles(built.stdout + built.stderr);
    const packages = embeddedPackages(listing);

    await t.step("every migration and the migration list", () => {
      const migrations = [...Deno.readDirSync(`${ROOT}/db/migrations`)].map((e) => e.name);
      assertGreater(migrations.length, 1);
      for (const name of migrations) assert(embedsFile(listing, `db/migrations/${name}`), name);
      assert(embedsFile(listing, "db/migrations.ts"));
    });

    await t.step("the static assets and htmx", () => {
      assert(embedsFile(listing, "static/app.css"));
      assert(embedsFile(listing, "static/app.js"));
      assert(packages.has("htmx.org"), [...packages].join(", "));
    });

    await t.step("exactly one libSQL addon: linux-x64-gnu", () => {
      const addons = [...packages].filter((n) => /^@libsql\/(linux|darwin|win32)-/.test(n));
      assertEquals(addons, ["@libsql/linux-x64-gnu"]);
      assert(packages.has("libsql") && packages.has("@libsql/client"));
    });

    await t.step("no playwright-core, no @types/*, no tests, benchmarks or scripts", () => {
      assertEquals(
        [...packages].filter((n) => n === "playwright-core" || n.startsWith("@types/")),
        [],
      );
      const local = listing.entries.map((e) => e.path).filter((p) => !p.startsWith("."));
      assertEquals(local.filter((p) => /^(tests|bench|scripts)\b|_test\.tsx?$/.test(p)), []);
    });

    await t.step("under 45 MB embedded, and the build says how much", () => {
      assertLess(listing.totalBytes, EMBEDDED_LIMIT_BYTES);
      assertGreater(listing.totalBytes, 5 * 1024 * 1024); // the libSQL addon alone is 9 MB
      assertMatch(built.stdout, /embedded files +\d+\.\d\d MB \(limit 45\.00 MB\)/);
      assertMatch(built.stdout, /executable +\d+\.\d\d MB = runtime .* \+ payload \d+\.\d\d MB/);
      assertStringIncludes(built.stdout, "DENORT_BIN is the deno CLI, not denort");
    });

    await t.step("the executable is the runtime plus the payload", async () => {
      const size = (await Deno.stat(output)).size;
      const runtime = (await Deno.stat(DENO)).size;
      assertGreater(size - runtime, listing.totalBytes);
    });

    await t.step("no embedded module finds files through its own location", () => {
      const sources = embeddedSourceFiles(listing);
      assert(sources.includes("main.ts") && sources.includes("routes/static.ts"));
      const offenders = sources.filter((file) => {
        const code = Deno.readTextFileSync(`${ROOT}/${file}`);
        // A worker is started from its module's URL (embedded with --include): allowed.
        const rest = code.replace(/new Worker\(new URL\("\.\/[\w./]+", import\.meta\.url\)/g, "");
        return /import\.meta\.(url|dirname|filename|resolve)\b/.test(rest) ||
          /Deno\.(readFile|readTextFile|readDir|open|stat)(Sync)?\(\s*["'`](\.|static|db|views)/
            .test(code);
      });
      assertEquals(offenders, []);
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("payloadProblems() refuses what deno compile embedded before the lean build", () => {
  // Trimmed from the listing of `deno compile --allow-all main.ts` before scripts/build.ts.
  const before = parseEmbeddedFiles(`Embedded Files

singdeck
├─┬ .deno_compile_node_modules (77.72MB - 75.85MB unique)
│ └─┬ localhost (77.72MB - 75.85MB unique)
│   ├─┬ @libsql (35.83MB - 35.57MB unique)
│   │ ├── client/* (269.68KB - 257.34KB unique)
│   │ ├── linux-x64-gnu/* (17.24MB - 17.24MB unique)
│   │ └── linux-x64-musl/* (17.62MB - 17.62MB unique)
│   ├─┬ @types (2.51MB - 2.51MB unique)
│   │ ├── node/* (2.47MB - 2.47MB unique)
│   │ └── ws/* (41.9KB - 40.77KB unique)
│   ├── playwright-core/1.65.1/* (13.34MB - 13.17MB unique)
│   └── protobufjs/7.6.6/* (2.91MB - 2.91MB unique)
├─┬ db (105.17KB)
│ ├── migrations/* (12.69KB)
│ └── migrations.ts (2.63KB)
├── main.ts (5.71KB)
├── static/app.css (4KB)
└── tests/support/app.ts (3KB)

Files: 77.09MB
Metadata: 8.85KB
`);
  assertEquals(before.totalBytes, Math.round(77.09 * 1024 * 1024));
  assert(embedsFile(before, "db/migrations/0001_initial.ts"));
  const problems = payloadProblems(before, "linux-x64-gnu", { excludedPackages: ["protobufjs"] });
  assertEquals(problems, [
    "Type-only package @types/node is embedded",
    "Type-only package @types/ws is embedded",
    "Test-only package playwright-core is embedded",
    "Package protobufjs is embedded although the build leaves it out",
    "Expected exactly one libSQL addon, @libsql/linux-x64-gnu; embedded: " +
    "@libsql/linux-x64-gnu, @libsql/linux-x64-musl",
    "htmx (npm htmx.org) is not embedded",
    "core/stats/poll_worker.ts is not embedded",
    "static/app.js is not embedded",
    "tests/support/app.ts (tests, benchmarks or scripts) is embedded",
    "Embedded files total 77.09 MB, over the 45.00 MB limit",
  ]);
});

Deno.test("deno task build without a downloadable runtime says what DENORT_BIN needs and leaves no dist/", async () => {
  const info = JSON.parse((await run(["info", "--json"])).stdout);
  const version = Deno.version.deno;
  const zip = `denort-x86_64-unknown-linux-gnu.zip`;
  if (await exists(`${info.denoDir}/dl/release/v${version}/${zip}`)) {
    console.warn(`Skipping: ${zip} is in Deno's cache, so nothing is downloaded`);
    return;
  }
  const tmp = await Deno.makeTempDir({ prefix: "singdeck-build-" });
  try {
    // A proxy nobody listens on: the download fails fast even where dl.deno.land is reachable.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const proxy = `http://127.0.0.1:${listener.addr.port}`;
    listener.close();
    const built = await run(["task", "build", "--no-check", "--output", `${tmp}/dist/singdeck`], {
      env: { HTTPS_PROXY: proxy, https_proxy: proxy },
      unset: ["NO_PROXY", "no_proxy"],
    });
    assertEquals(built.code, 1, built.stdout + built.stderr);
    assertStringIncludes(built.stderr, `could not download its runtime, denort ${version}`);
    assertStringIncludes(built.stderr, `Set DENORT_BIN to a denort of exactly Deno ${version}`);
    assertStringIncludes(built.stderr, `https://dl.deno.land/release/v${version}/`);
    assertStringIncludes(built.stderr, zip);
    assertEquals(await exists(`${tmp}/dist`), false);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("deno task build refuses a DENORT_BIN that is missing or not Deno's runtime, before compiling", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "singdeck-build-" });
  try {
    const notDeno = `${tmp}/true`;
    await Deno.copyFile("/bin/true", notDeno); // an ELF executable without Deno in it
    const cases = [
      [`${tmp}/missing`, "does not exist"],
      [notDeno, `is not Deno ${Deno.version.deno}'s runtime`],
    ];
    for (const [denortBin, message] of cases) {
      const built = await run(["task", "build", "--output", `${tmp}/dist/singdeck`], {
        env: { DENORT_BIN: denortBin },
      });
      assertEquals(built.code, 1);
      assertStringIncludes(built.stderr, `DENORT_BIN=${denortBin} ${message}`);
      assertStringIncludes(built.stderr, "denort-x86_64-unknown-linux-gnu.zip");
      assertEquals(built.stdout.includes("Compile"), false);
      assertEquals(await exists(`${tmp}/dist`), false);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("main.ts --version prints the version and the runtime, and touches nothing", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "singdeck-version-" });
  try {
    const result = await run(["run", "--allow-all", `${ROOT}/main.ts`, "--version"], { cwd });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(
      result.stdout,
      `singdeck ${VERSION} (Deno ${Deno.version.deno}, ${Deno.build.target})\n`,
    );
    assertEquals([...Deno.readDirSync(cwd)], []);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
