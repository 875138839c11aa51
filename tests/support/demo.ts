/**
 * A panel that looks like one in use, for page and browser tests: six inbounds with long
 * tags (made through the API, so their settings are real), 63 users in every status, one
 * with a 47-character name on all six inbounds, and services that report a running core
 * with log lines in sing-box's own format (with a refused inbound, blocked users and
 * counters reset externally, so those messages are on the dashboard too). The core is a
 * stand-in: these tests are about the pages, not about sing-box.
 */
import { freePort } from "./sing_box.ts";
import { idleServices, type Services } from "../../core/services.ts";
import { createTestPanel, type TestPanel } from "./app.ts";
import { insertUserRows } from "./rows.ts";

export const LONG_USER = "a-very-long-user-name-for-layout-checks-0123456";
export const LONG_TAG = "trojan-tls-amsterdam-backup-node-with-long-name";
export const DEMO_TAGS = [
  "vless-reality-frankfurt-edge-01",
  "vless-tls-self-signed-paris",
  "vmess-plain-tokyo",
  LONG_TAG,
  "shadowsocks-2022-singapore",
  "mixed-socks-http-local",
];

const GB = 1024 ** 3;
const DAY = 24 * 3600 * 1000;

const color = (level: string) =>
  ({ INFO: "\x1b[36mINFO\x1b[0m", WARN: "\x1b[33mWARN\x1b[0m", ERROR: "\x1b[31mERROR\x1b[0m" })[
    level
  ] ?? level;

/** Every page an operator sees in the demo panel, by a short name for screenshots. */
export const DEMO_PAGES: ReadonlyArray<[string, string]> = [
  ["dashboard", "/"],
  ["inbounds", "/inbounds"],
  ["inbound-new", "/inbounds/new"],
  ["inbound-edit", `/inbounds/${DEMO_TAGS[0]}/edit`],
  ["inbound-edit-long", `/inbounds/${LONG_TAG}/edit`],
  ["users", "/users"],
  ["users-expiring", "/users?status=expiring"],
  ["user", `/users/${LONG_USER}`],
  ["user-new", "/users/new"],
  ["users-batch", "/users/batch"],
  ["logs", "/logs"],
  ["settings", "/settings"],
  ["config", "/core/config"],
  ["not-found", "/no-such-page"],
];

/** Log lines as sing-box writes them (with colour codes), oldest first. */
export function demoLogLines(now: number): string[] {
  const at = (s: number) =>
    `+0000 ${new Date(now - s * 1000).toISOString().slice(0, 19).replace("T", " ")}`;
  const lines = [
    "singdeck: starting sing-box (panel started)",
    `${at(600)} ${color("INFO")} network: updated default interface eth0, index 4`,
    `${at(599)} ${
      color("INFO")
    } inbound/vless[vless-reality-frankfurt-edge-01]: tcp server started at [::]:24815`,
    `${at(599)} ${color("INFO")} sing-box started (0.21s)`,
  ];
  for (let i = 0; i < 30; i++) {
    lines.push(
      `${at(500 - i * 10)} ${color("INFO")} [${
        3000 + i
      } 12ms] inbound/vless[vless-reality-frankfurt-edge-01]: inbound connection from 203.0.113.${i}:5${i}123`,
    );
  }
  lines.push(
    `${at(120)} ${
      color("WARN")
    } inbound/trojan[${LONG_TAG}]: process connection from 198.51.100.7:40112: TLS handshake: remote error: tls: bad certificate while reading a very long line that has to wrap on a phone screen instead of widening the page`,
    `${at(60)} ${color("ERROR")} [4100 1.2s] outbound/direct: dial tcp 192.0.2.10:443: i/o timeout`,
    "singdeck: flush before reload failed: the stats API did not answer",
  );
  return lines;
}

/** Services reporting a running sing-box with the API, a recent poll and log lines. */
export function demoServices(now: () => number = Date.now): Services {
  const idle = idleServices("/usr/local/bin/sing-box");
  return {
    core: {
      ...idle.core,
      status: () => ({
        state: "running",
        kind: "singdeck-core",
        binary: "/root/.cache/singdeck/singdeck-core-0123456789abcdef/bin/singdeck-core",
        version: "1.14.1",
        coreVersion: "0.1.0",
        tags: ["with_quic", "with_utls", "with_v2ray_api", "with_clash_api"],
        hasV2rayApi: true,
        pid: 4242,
        startedAt: now() - 3 * 3600_000,
        restarts: 0,
        lastError: null,
        configError: null,
        blockedUsers: 3,
        failedInbounds: [{
          tag: "trojan-tls-amsterdam-backup-node-with-long-name-refused",
          reason:
            "inbound/trojan[trojan-tls-amsterdam-backup-node-with-long-name-refused]: listen tcp [::]:443: bind: address already in use",
        }],
      }),
      logLines: () => demoLogLines(now()),
    },
    stats: {
      ...idle.stats,
      status: () => ({
        state: "ok",
        reason: null,
        lastPollAt: now() - 12_000,
        lastPollMs: 38,
        countersSeen: 412,
        unknownCounters: 0,
        externalResets: 24,
        lastExternalResetAt: now() - 340_000,
      }),
    },
  };
}

/** A logged-in panel with the demo inbounds and users. */
export async function createDemoPanel(
  options: { env?: Record<string, string>; services?: Services } = {},
): Promise<TestPanel> {
  const p = await createTestPanel({
    services: options.services ?? demoServices(),
    env: options.env,
  });
  const api = async (body: Record<string, unknown>) => {
    const res = await p.api("POST", "/api/v1/inbounds", {
      listen: "127.0.0.1",
      port: freePort(),
      ...body,
    });
    if (res.status !== 201) throw new Error(`inbound not created: ${await res.text()}`);
  };
  await api({
    tag: DEMO_TAGS[0],
    type: "vless",
    reality: { handshakeServer: "www.microsoft.com" },
    flow: "xtls-rprx-vision",
  });
  await api({ tag: DEMO_TAGS[1], type: "vless", tls: { mode: "self_signed" } });
  // Listening on every address with no public address set: the dashboard warns.
  await api({ tag: DEMO_TAGS[2], type: "vmess", listen: "::" });
  await api({ tag: DEMO_TAGS[3], type: "trojan", tls: { mode: "self_signed" } });
  await api({ tag: DEMO_TAGS[4], type: "shadowsocks", method: "2022-blake3-aes-128-gcm" });
  await api({ tag: DEMO_TAGS[5], type: "mixed" });
  const inbounds = await p.db.selectFrom("inbounds").select(["id", "tag"]).execute();
  for (const [i, inbound] of inbounds.entries()) {
    await p.db.updateTable("inbounds")
      .set({ uplink: Math.round((i + 1) * 3.3 * GB), downlink: Math.round((i + 1) * 27.1 * GB) })
      .where("id", "=", inbound.id).execute();
  }

  const now = Date.now();
  const users = [{
    name: LONG_USER,
    traffic_limit: 50 * GB,
    uplink: Math.round(4.2 * GB),
    downlink: Math.round(38.9 * GB),
    expires_at: now + 40 * DAY,
    note: "Six inbounds and a name as long as allowed.",
  }];
  for (let i = 1; i <= 62; i++) {
    const kind = i % 6;
    users.push({
      name: `user-${String(i).padStart(2, "0")}`,
      traffic_limit: kind === 1 || kind === 2 ? 20 * GB : 0,
      uplink: Math.round((i * 37 % 100) * 0.013 * GB),
      downlink: kind === 2
        ? 19 * GB
        : kind === 1
        ? 21 * GB
        : Math.round((i * 53 % 100) * 0.11 * GB),
      expires_at: kind === 3 ? now + 2 * DAY : kind === 4 ? now - 3 * DAY : now + (30 + i) * DAY,
      note: "",
      ...(kind === 5 ? { enabled: 0 } : {}),
    });
  }
  const ids = await insertUserRows(p.db, users);
  const assignments = [
    ...inbounds.map((inbound) => ({ user_id: ids[0], inbound_id: inbound.id })),
    ...ids.slice(1).map((id, i) => ({ user_id: id, inbound_id: inbounds[i % 6].id })),
  ];
  await p.db.insertInto("user_inbounds").values(assignments).execute();
  await p.db.insertInto("user_inbound_traffic").values(inbounds.map((inbound, i) => ({
    user_id: ids[0],
    inbound_id: inbound.id,
    uplink: Math.round(4.2 * GB / 6) + i,
    downlink: Math.round(38.9 * GB / 6) + i,
  }))).execute();
  await p.db.insertInto("outbound_traffic").values([
    { tag: "direct", uplink: Math.round(19.8 * GB), downlink: 162 * GB },
    { tag: "block", uplink: 0, downlink: 1536 },
  ]).execute();
  return p;
}

/** The path of a demo user's subscription (`/sub/{token}`), as their admin page shows it. */
export async function demoSubscriptionPath(p: TestPanel, name = LONG_USER): Promise<string> {
  const res = await p.request(`/users/${encodeURIComponent(name)}`);
  const url = /id="subscription-url">([^<]+)</.exec(await res.text())?.[1];
  if (!url) throw new Error(`No subscription URL on the page of "${name}"`);
  return new URL(url).pathname;
}
