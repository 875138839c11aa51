/**
 * The supervisor's own behaviour (log ring, crash restarts with backoff, clean stops, run
 * hooks) against a small shell script standing in for sing-box: what sing-box does is
 * not what these tests are about (tests/core_e2e_test.ts runs the real one).
 */
import { assert, assertEquals, assertGreaterOrEqual, assertStringIncludes } from "@std/assert";
import { waitFor } from "../../tests/support/wait.ts";
import { Supervisor, type SupervisorHooks, type SupervisorOptions } from "./supervisor.ts";

interface Recorder {
  hooks: SupervisorHooks;
  events: string[];
}

function recorder(): Recorder {
  const events: string[] = [];
  let runs = 0;
  return {
    events,
    hooks: {
      runStarted: ({ reason }) => {
        events.push(`start ${++runs} ${reason}`);
        return Promise.resolve(runs);
      },
      runEnded: (runId, code) => {
        events.push(`end ${runId} ${code}`);
        return Promise.resolve();
      },
      beforePlannedRestart: () => {
        events.push("flush");
        return Promise.resolve();
      },
    },
  };
}

/** A fake `sing-box` whose `run` behaviour is given as a shell snippet. */
async function fakeBinary(dir: string, run: string): Promise<string> {
  const path = `${dir}/fake-sing-box`;
  await Deno.writeTextFile(path, `#!/usr/bin/env bash\n${run}\n`, { mode: 0o755 });
  return path;
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `fn` with a Supervisor of a fake core running `script`, in a temporary dir. */
function withSupervisor(
  script: string,
  options: Partial<SupervisorOptions>,
  fn: (s: Supervisor, r: Recorder) => Promise<void>,
): Promise<void> {
  return withDir(async (dir) => {
    const r = recorder();
    const binary = await fakeBinary(dir, script);
    const s = new Supervisor({
      binary,
      configPath: `${dir}/c.json`,
      cwd: dir,
      hooks: r.hooks,
      ...options,
    });
    await fn(s, r);
  });
}

Deno.test("Supervisor keeps the last 500 log lines and knows when the core started", () =>
  withSupervisor(
    'for i in $(seq 1 700); do echo "line $i"; done; echo "INFO sing-box started"; exec sleep 60',
    {},
    async (s, r) => {
      await s.start("test");
      assert(await s.waitReady(5000), "ready after the started line");
      assertEquals(s.state, "running");
      const lines = s.logLines();
      assertEquals(lines.length, 500);
      assertEquals(lines.at(-1), "INFO sing-box started");
      assertEquals(lines[0], "line 202");
      await s.stop("done");
      assertEquals(s.state, "stopped");
      assertEquals(r.events, ["start 1 test", "flush", "end 1 143"]);
    },
  ));

Deno.test("Supervisor restarts a crashed core with growing backoff and no flush", () =>
  withSupervisor('echo "INFO sing-box started"; echo "FATAL boom" >&2; exit 3', {
    backoffMs: { initial: 50, max: 200 },
  }, async (s, r) => {
    const started = Date.now();
    await s.start("test");
    await waitFor("three restarts", () => s.restarts >= 3);
    // Waits of 50 + 100 + 200 ms at least between the four runs.
    assertGreaterOrEqual(Date.now() - started, 350);
    assertStringIncludes(s.lastError ?? "", "exited with code 3");
    assertStringIncludes(s.lastError ?? "", "FATAL boom");
    // Read before stop(): stopping a run that is alive is planned and flushes.
    const crashEvents = [...r.events];
    await s.stop("done");
    assert(!crashEvents.includes("flush"), "a crash is not a planned restart: nothing to flush");
    assert(crashEvents.includes("end 1 3"));
    assert(s.logLines().some((l) => l.includes("restarting in 0.1 s")));
  }));

Deno.test("Supervisor kills a core that ignores SIGTERM after the stop timeout", () =>
  withSupervisor('trap "" TERM; echo "INFO sing-box started"; while true; do sleep 0.05; done', {
    stopTimeoutMs: 300,
  }, async (s, r) => {
    await s.start("test");
    assert(await s.waitReady(5000));
    const pid = s.pid!;
    const t0 = Date.now();
    await s.stop("done");
    assertGreaterOrEqual(Date.now() - t0, 250);
    assertEquals(r.events.at(-1), "end 1 137");
    let alive = true;
    try {
      const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
      alive = !/\) [ZX] /.test(stat);
    } catch {
      alive = false;
    }
    assertEquals(alive, false);
  }));

Deno.test("Supervisor.restart() flushes, then starts a new run", () =>
  withSupervisor('echo "INFO sing-box started"; exec sleep 60', {}, async (s, r) => {
    await s.start("first");
    await s.waitReady(5000);
    await s.restart("reload");
    assert(await s.waitReady(5000));
    assertEquals(s.runId, 2);
    await s.stop("done");
    assertEquals(r.events, [
      "start 1 first",
      "flush",
      "end 1 143",
      "start 2 reload",
      "flush",
      "end 2 143",
    ]);
  }));

Deno.test("Supervisor with a log file: the core holds no pipe to the panel and no SINGDECK_ variable", () =>
  withDir(async (dir) => {
    const r = recorder();
    const binary = await fakeBinary(
      dir,
      'echo "to stdout"; echo "INFO sing-box started" >&2; env >&2; echo "environment listed" >&2; exec sleep 60',
    );
    const logFile = `${dir}/core.log`;
    Deno.env.set("SINGDECK_TEST_SECRET", "do-not-leak");
    const s = new Supervisor({
      binary,
      configPath: `${dir}/c.json`,
      cwd: dir,
      hooks: r.hooks,
      logFile,
    });
    try {
      await s.start("test");
      assert(await s.waitReady(5000), "ready after the started line in the file");
      const pid = s.pid!;
      assertEquals(await Deno.readLink(`/proc/${pid}/fd/1`), "/dev/null");
      assertEquals(await Deno.readLink(`/proc/${pid}/fd/2`), logFile);
      assertEquals(await Deno.readLink(`/proc/${pid}/fd/0`), "/dev/null");
      // Ready comes with the started line; the listing after it may reach the file later.
      await waitFor(
        "the environment listed in the log",
        () => s.logLines().includes("environment listed"),
      );
      const lines = s.logLines();
      assert(lines.includes("INFO sing-box started"), lines.join("\n"));
      assert(!lines.includes("to stdout"), "stdout goes nowhere");
      assertEquals(
        lines.filter((l) => l.startsWith("SINGDECK_")),
        [],
        "the panel's settings stay out",
      );
      assert(lines.some((l) => l.startsWith("PATH=")), "the rest of the environment is passed");
      await s.stop("done");
    } finally {
      Deno.env.delete("SINGDECK_TEST_SECRET");
    }
  }));

Deno.test("Supervisor rotates a log file grown past its limit and keeps reading it", () =>
  withDir(async (dir) => {
    const r = recorder();
    const binary = await fakeBinary(
      dir,
      'echo "INFO sing-box started" >&2; for i in $(seq 1 400); do echo "line $i of filler text" >&2; done; ' +
        'while [ ! -e "$0.go" ]; do sleep 0.02; done; echo "after rotation" >&2; exec sleep 60',
    );
    const logFile = `${dir}/core.log`;
    const s = new Supervisor({
      binary,
      configPath: `${dir}/c.json`,
      cwd: dir,
      hooks: r.hooks,
      logFile,
      logMaxBytes: 4096,
    });
    await s.start("test");
    assert(await s.waitReady(5000));
    await waitFor(
      "the filler lines",
      () => s.logLines().some((l) => l === "line 400 of filler text"),
    );
    assert((await Deno.stat(`${logFile}.1`)).size > 4096, "the old lines went to core.log.1");
    assert((await Deno.stat(logFile)).size < 4096, "core.log starts again");
    await Deno.writeTextFile(`${binary}.go`, "");
    await waitFor(
      "a line written after the rotation",
      () => s.logLines().includes("after rotation"),
    );
    await s.stop("done");
  }));

Deno.test("Supervisor is ready when its probe says so, not before", () =>
  withDir(async (dir) => {
    const r = recorder();
    const binary = await fakeBinary(dir, "exec sleep 60");
    let answering = false;
    const s = new Supervisor({
      binary,
      configPath: `${dir}/c.json`,
      cwd: dir,
      hooks: r.hooks,
      logFile: `${dir}/core.log`,
      probeReady: () => Promise.resolve(answering),
    });
    await s.start("test");
    assertEquals(await s.waitReady(300), false, "not ready while the probe says no");
    assertEquals(s.state, "starting");
    answering = true;
    assert(await s.waitReady(2000));
    assertEquals(s.state, "running");
    await s.stop("done");
  }));
