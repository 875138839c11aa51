/**
 * singdeck as a real separate process (`deno run main.ts`), for tests that kill the panel
 * itself. Talks to it over HTTP on a loopback port with an API token.
 */
import { freePort } from "./sing_box.ts";
import { openDatabase } from "../../db/database.ts";
import { saveSettings } from "../../core/settings.ts";

export const PANEL_TOKEN = "process-token-0123456789abcdef";

export interface PanelProcess {
  /** Where it listens, as it announced it (`http://` or `https://`). */
  url: string;
  pid: number;
  output(): string;
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** Sends a signal and waits for the process to exit. */
  kill(signal: Deno.Signal): Promise<void>;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

function panelEnv(dataDir: string, env: Record<string, string>): Record<string, string> {
  return {
    SINGDECK_LISTEN: `127.0.0.1:${freePort()}`,
    SINGDECK_DATA_DIR: dataDir,
    SINGDECK_API_TOKEN: PANEL_TOKEN,
    SINGDECK_ADMIN_PASSWORD: "process test password",
    NO_COLOR: "1",
    ...env,
  };
}

/** Runs `main.ts` with `args` to completion (a one-shot command); returns its exit code and output. */
export async function runPanelCommand(
  dataDir: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--v8-flags=--expose-gc,--max-semi-space-size=2", MAIN, ...args],
    env: panelEnv(dataDir, env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

/**
 * Starts `main.ts` on a free loopback port with `dataDir`; resolves once it listens.
 * Proxy users may reach loopback (where the tests' payload servers listen).
 */
export async function startPanelProcess(
  dataDir: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<PanelProcess> {
  // Only into a data dir that exists: tests of how the panel creates one leave it alone.
  if (await Deno.stat(dataDir).then((s) => s.isDirectory, () => false)) {
    const db = await openDatabase(`file:${dataDir}/singdeck.db`);
    await saveSettings(db, { allowPrivateEgress: "1" });
    await db.destroy();
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--v8-flags=--expose-gc,--max-semi-space-size=2", MAIN, ...args],
    env: panelEnv(dataDir, env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const listening = Promise.withResolvers<void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (text.includes("singdeck listening on")) listening.resolve();
    }
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status;
  status.then(() => listening.reject(new Error(`panel exited before listening:\n${text}`)));
  const timer = setTimeout(
    () => listening.reject(new Error(`panel did not listen in 60 s:\n${text}`)),
    60_000,
  );
  try {
    await listening.promise;
  } finally {
    clearTimeout(timer);
  }
  const url = /singdeck listening on (\S+)/.exec(text)![1];
  return {
    url,
    pid: child.pid,
    output: () => text,
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${PANEL_TOKEN}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() as T };
    },
    async kill(signal) {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      await status;
      await pumped.catch(() => {});
    },
  };
}
