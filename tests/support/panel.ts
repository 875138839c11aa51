/**
 * A live panel for end-to-end tests: the real app, the real CoreService supervising the
 * real sing-box, a temporary data dir and libSQL file. Requests go in-process with the
 * API token; sing-box and its clients use loopback addresses only.
 */
import { createApp } from "../../app.tsx";
import { type Db, openDatabase } from "../../db/database.ts";
import { parseConfig } from "../../core/config.ts";
import { ensureAdmin } from "../../core/auth/admin_auth.ts";
import { CoreService } from "../../core/sing_box/core_service.ts";
import { saveSettings } from "../../core/settings.ts";
import { rowToInbound } from "../../db/inbounds.ts";
import { toUser, usersWithTraffic } from "../../db/users.ts";
import type { Inbound, User } from "../../core/model.ts";
import { clientOutbound } from "../../core/subscriptions/client_outbound.ts";
import {
  expectedBytes,
  freePort,
  freeUdpPort,
  type PayloadServer,
  requireSingBox,
  type RunningClient,
  startClient,
  transferViaProxy,
} from "./sing_box.ts";
import { TEST_PASSWORD } from "./app.ts";

export interface LivePanel {
  app: ReturnType<typeof createApp>;
  core: CoreService;
  db: Db;
  dataDir: string;
  /** Sends a JSON API request with the bearer token; throws unless the status is `expect`. */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    expect?: number,
  ): Promise<T>;
  inbound(tag: string): Promise<Inbound>;
  user(name: string): Promise<User>;
  /**
   * Creates (through the API) a plain VLESS inbound `main` on a free loopback port and a
   * user on it, then waits until sing-box serves them.
   */
  serveOneUser(userName: string): Promise<void>;
  /**
   * Creates an inbound through the API on 127.0.0.1 and a free port (UDP for hysteria2 and
   * tuic) that no earlier call of this panel took. Other programs on a busy machine can
   * take a port between its probe and the API's: that refusal (409, "in use by another
   * program") is retried with another port.
   */
  createInbound(spec: Record<string, unknown>): Promise<number>;
  /** Starts a sing-box client for `user` on inbound `tag`. */
  client(tag: string, userName: string): Promise<RunningClient>;
  close(): Promise<void>;
}

export async function startLivePanel(
  bin: string,
  options: {
    pollIntervalMs?: number;
    applyDelayMs?: number;
    tableRefreshSeconds?: number;
    log?: (message: string) => void;
    /** The panel's port as the generated route knows it. */
    panelPort?: number;
    /** Let proxy users reach loopback (the payload servers); default true. */
    privateEgress?: boolean;
    /** The core's log level; default info. */
    logLevel?: string;
  } = {},
): Promise<LivePanel> {
  const dataDir = await Deno.makeTempDir({ prefix: "singdeck-e2e-" });
  const token = "e2e-token-0123456789abcdef";
  const config = parseConfig([], {
    SINGDECK_DATA_DIR: dataDir,
    SINGDECK_API_TOKEN: token,
    SINGDECK_SING_BOX: bin,
    SINGDECK_TABLE_REFRESH: String(options.tableRefreshSeconds ?? 5),
  });
  const db = await openDatabase(config.dbUrl);
  await ensureAdmin(db, TEST_PASSWORD, Date.now());
  // The payload servers of these tests listen on loopback, which proxy users cannot reach
  // by default (tests/egress_e2e_test.ts is about that default).
  await saveSettings(db, { allowPrivateEgress: options.privateEgress === false ? "0" : "1" });
  const core = new CoreService({
    db,
    dbUrl: config.dbUrl,
    panelPort: options.panelPort ?? config.listenPort,
    binary: bin,
    dataDir,
    logLevel: options.logLevel ?? "info",
    pollIntervalMs: options.pollIntervalMs ?? 3_600_000,
    applyDelayMs: options.applyDelayMs ?? 300,
    log: options.log ?? (() => {}),
  });
  await core.startup();
  const app = createApp({ db, config, services: { core, stats: core.poller } });
  const clients: RunningClient[] = [];
  const usedPorts = new Set<number>();
  const panel: LivePanel = {
    async createInbound(spec) {
      const udp = spec.type === "hysteria2" || spec.type === "tuic";
      for (let attempt = 0;; attempt++) {
        let port = udp ? await freeUdpPort() : freePort();
        while (usedPorts.has(port)) port = udp ? await freeUdpPort() : freePort();
        usedPorts.add(port);
        const res = await app.request("/api/v1/inbounds", {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ listen: "127.0.0.1", port, ...spec }),
        });
        const body = await res.text();
        if (res.status === 201) return port;
        if (res.status !== 409 || !body.includes("another program") || attempt >= 5) {
          throw new Error(`POST /inbounds answered ${res.status}: ${body}`);
        }
      }
    },
    app,
    core,
    db,
    dataDir,
    async api<T>(method: string, path: string, body?: unknown, expect?: number) {
      const res = await app.request(`/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await res.json();
      const wanted = expect ?? (method === "POST" ? 201 : 200);
      if (res.status !== wanted) {
        throw new Error(
          `${method} ${path} answered ${res.status}, not ${wanted}: ${JSON.stringify(json)}`,
        );
      }
      return json as T;
    },
    async serveOneUser(userName) {
      await panel.api("POST", "/inbounds", {
        tag: "main",
        type: "vless",
        listen: "127.0.0.1",
        port: freePort(),
      });
      await panel.api("POST", "/users", { name: userName, inbounds: ["main"] });
      await core.settled();
    },
    async inbound(tag) {
      return rowToInbound(
        await db.selectFrom("inbounds").selectAll().where("tag", "=", tag)
          .executeTakeFirstOrThrow(),
      );
    },
    async user(name) {
      return toUser(
        await usersWithTraffic(db).where("name", "=", name).executeTakeFirstOrThrow(),
      );
    },
    async client(tag, userName) {
      const inbound = await panel.inbound(tag);
      const user = await panel.user(userName);
      const outbound = clientOutbound(inbound, user, "127.0.0.1");
      // Clients are plain sing-box, whatever the panel runs.
      const client = await startClient(requireSingBox(), outbound, dataDir);
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients) await c.stop();
      await core.shutdown();
      await db.destroy();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
  return panel;
}

/**
 * Downloads `n` bytes through the client's proxy (`transferViaProxy`: a stalled try is
 * tried once more); throws unless they arrive intact.
 */
export async function downloadIntact(
  client: RunningClient,
  payload: PayloadServer,
  n: number,
): Promise<void> {
  const { status, body } = await transferViaProxy(client, `${payload.url}/bytes/${n}`);
  if (status !== 200) throw new Error(`download through the proxy answered ${status}`);
  const expected = expectedBytes(n);
  if (body.length !== n) {
    throw new Error(`download through the proxy got ${body.length} of ${n} bytes`);
  }
  for (let i = 0; i < n; i++) {
    if (body[i] !== expected[i]) throw new Error(`download through the proxy differs at byte ${i}`);
  }
}

export { waitFor } from "./wait.ts";

/**
 * Whether a live process with this pid exists (Linux). A zombie (exited, not yet reaped:
 * a killed panel's orphans are re-parented to an init that may not reap them) counts as gone.
 */
export function processExists(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
