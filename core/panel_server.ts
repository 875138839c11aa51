/**
 * Serves the panel over HTTP, or over HTTPS with the operator's certificate and key
 * (`--cert`/`--key`). The files are checked at start (a bad pair stops the start with a
 * clear message) and watched: when either changes (a renewal, `certbot renew`), or on
 * `reloadTls()` (SIGHUP), the new pair is checked and, if good, the server is restarted
 * on it: in-flight requests finish, new connections get the new certificate after a pause
 * of milliseconds. A new pair that does not load is logged and the old one keeps serving.
 */
import { certificatePairProblems } from "./tls_pair.ts";

export interface PanelServerOptions {
  hostname: string;
  port: number;
  tls?: { certificatePath: string; keyPath: string };
  handler: Deno.ServeHandler;
  log: (message: string) => void;
  /** How often the certificate files are checked for changes (default 5 s). */
  watchIntervalMs?: number;
}

export interface PanelServer {
  /** Checks the certificate files now and serves a changed, valid pair. */
  reloadTls(): Promise<void>;
  /** Stops watching and serving; in-flight requests finish first. */
  shutdown(): Promise<void>;
}

interface TlsPair {
  cert: string;
  key: string;
  /** What the files looked like when read, to notice a change. */
  stamp: string;
}

/** What a pair of files looks like now (inode, size, mtime of each), to notice a change. */
async function pairStamp(tls: NonNullable<PanelServerOptions["tls"]>): Promise<string> {
  const stamp = async (path: string) => {
    try {
      const info = await Deno.stat(path);
      return `${info.ino}:${info.size}:${info.mtime?.getTime()}`;
    } catch {
      return "missing";
    }
  };
  return `${await stamp(tls.certificatePath)}/${await stamp(tls.keyPath)}`;
}

/** Reads and checks a certificate and key; throws an Error saying what is wrong. */
async function readTlsPair(tls: NonNullable<PanelServerOptions["tls"]>): Promise<TlsPair> {
  const read = async (path: string, what: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (e) {
      throw new Error(`${what} "${path}" cannot be read: ${(e as Error).message}`);
    }
  };
  const stamp = await pairStamp(tls);
  const cert = await read(tls.certificatePath, "Certificate file");
  const key = await read(tls.keyPath, "Key file");
  const problems = certificatePairProblems(cert, key);
  if (problems.certificate) {
    throw new Error(`Certificate file "${tls.certificatePath}" ${problems.certificate}`);
  }
  if (problems.key) throw new Error(`Key file "${tls.keyPath}" ${problems.key}`);
  if (problems.match) throw new Error(`Key file "${tls.keyPath}" ${problems.match}`);
  return { cert, key, stamp };
}

/** Starts serving; resolves once listening. Throws when the TLS files are unusable. */
export async function servePanel(options: PanelServerOptions): Promise<PanelServer> {
  const { tls, log } = options;
  let pair = tls ? await readTlsPair(tls) : null;
  const scheme = tls ? "https" : "http";
  const start = (announce: boolean) => {
    const listening = Promise.withResolvers<void>();
    const server = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      ...(pair ? { cert: pair.cert, key: pair.key } : {}),
      onListen: ({ hostname, port }) => {
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        if (announce) log(`singdeck listening on ${scheme}://${host}:${port}`);
        listening.resolve();
      },
    }, options.handler);
    return { server, listening: listening.promise };
  };
  let current = start(true);
  await current.listening;
  if (!tls) {
    return {
      reloadTls: () => Promise.resolve(),
      shutdown: () => current.server.shutdown(),
    };
  }

  let reloading: Promise<void> | null = null;
  let stopped = false;
  /** Set when the server was stopped for a new pair but could not start again. */
  let down = false;
  const reloadTls = () => {
    reloading ??= (async () => {
      const stamp = await pairStamp(tls);
      if (stopped || (stamp === pair!.stamp && !down)) return;
      if (!down) {
        let next: TlsPair;
        try {
          next = await readTlsPair(tls);
        } catch (e) {
          // Remember the broken files so the error is logged once, not on every check.
          pair = { ...pair!, stamp };
          log(
            `TLS certificate not reloaded, the previous one keeps serving: ${(e as Error).message}`,
          );
          return;
        }
        pair = next;
        await current.server.shutdown();
        if (stopped) return;
      }
      try {
        current = start(false);
        await current.listening;
        down = false;
        log("TLS certificate reloaded");
      } catch (e) {
        down = true;
        log(`could not serve again after a TLS reload, retrying: ${(e as Error).message}`);
      }
    })().finally(() => reloading = null);
    return reloading;
  };
  const timer = setInterval(() => void reloadTls(), options.watchIntervalMs ?? 5000);
  return {
    reloadTls,
    async shutdown() {
      stopped = true;
      clearInterval(timer);
      await reloading;
      if (!down) await current.server.shutdown();
    },
  };
}
