/**
 * Runs tests with the npm packages `deno task build` leaves out of the executable emptied,
 * so that loading one at run time fails as it would in the executable:
 *
 *   deno run --allow-all scripts/test_without_left_out.ts [TEST_FILE...]
 *
 * The compiled executable cannot be run where `denort` cannot be fetched; this shows that
 * the panel does not need what the build leaves out. It copies Deno's npm cache (as hard
 * links) into a temporary DENO_DIR, keeps only `package.json` of each left-out package
 * (Deno wants every locked package present), and runs `deno test --cached-only` there.
 * Default tests: the ones that run the panel against a real sing-box (gRPC stats, TLS
 * files, libSQL). Run it after changing dependencies or the build's leave-out rules.
 */
import { DEFAULT_TARGET, type LockFile, npmPlan, ROOT } from "./build_payload.ts";

const DEFAULT_TESTS = [
  "tests/stats_e2e_test.ts",
  "tests/core_e2e_test.ts",
  "tests/core_protocols_test.ts",
  "tests/inbounds_api_test.ts",
];

const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
const npmCache: string = JSON.parse(new TextDecoder().decode(info.stdout)).npmCache;
const denoDir = await Deno.makeTempDir({ prefix: "singdeck-left-out-" });
try {
  const copy = await new Deno.Command("cp", { args: ["-al", npmCache, `${denoDir}/npm`] })
    .output();
  if (!copy.success) throw new Error(new TextDecoder().decode(copy.stderr));
  const lock: LockFile = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.lock`));
  let emptied = 0;
  for (const registry of Deno.readDirSync(`${denoDir}/npm`)) {
    for (const pkg of npmPlan(lock, DEFAULT_TARGET).leaveOut) {
      const dir = `${denoDir}/npm/${registry.name}/${pkg.name}/${pkg.version}`;
      const manifest = await Deno.readFile(`${dir}/package.json`).catch(() => null);
      if (!manifest) continue;
      await Deno.remove(dir, { recursive: true }); // unlinks the copies only
      await Deno.mkdir(dir);
      await Deno.writeFile(`${dir}/package.json`, manifest);
      emptied++;
    }
  }
  console.log(`${emptied} left-out packages emptied in ${denoDir}`);
  const tests = Deno.args.length > 0 ? Deno.args : DEFAULT_TESTS;
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", "--cached-only", ...tests],
    cwd: ROOT,
    env: { DENO_DIR: denoDir },
  }).spawn().status;
  Deno.exitCode = status.code;
} finally {
  await Deno.remove(denoDir, { recursive: true });
}
