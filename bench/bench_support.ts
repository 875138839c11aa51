/**
 * What several benchmarks share: the cached core a setup script builds, and the panel's
 * process (bench/panel_process.ts) driven one JSON command at a time.
 */
const root = new URL("..", import.meta.url).pathname;

/** The binary a `scripts/` install script builds or finds (its last output line), or null. */
export async function findBinary(script: string): Promise<string | null> {
  const out = await new Deno.Command("bash", { args: [`${root}scripts/${script}`], stderr: "null" })
    .output().catch(() => null);
  if (!out?.success) return null;
  return new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? null;
}

/**
 * The panel's process with the panel's V8 flags. Commands may be sent concurrently; they
 * are answered one after another, in order.
 */
export function panelProcess() {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--v8-flags=--expose-gc,--max-semi-space-size=2",
      `${root}bench/panel_process.ts`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let queue = Promise.resolve();
  const send = (cmd: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const reply = queue.then(async () => {
      await writer.write(new TextEncoder().encode(JSON.stringify(cmd) + "\n"));
      while (!buffered.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("panel process ended");
        buffered += value;
      }
      const at = buffered.indexOf("\n");
      const line = JSON.parse(buffered.slice(0, at));
      buffered = buffered.slice(at + 1);
      if (line.error) throw new Error(line.error);
      return line as Record<string, unknown>;
    });
    queue = reply.then(() => {}, () => {});
    return reply;
  };
  return {
    send,
    async close() {
      await send({ cmd: "exit" }).catch(() => {});
      await writer.close().catch(() => {});
      await child.status;
    },
  };
}
