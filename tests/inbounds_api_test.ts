/**
 * API v1 inbounds through the in-process app with a real temporary libSQL database:
 * every type created, read, patched and deleted; sorting by traffic; and a catalog of bad
 * requests, each proven to change nothing (database snapshot, no TLS files written).
 */
import {
  assert,
  assertEquals,
  assertExists,
  assertMatch,
  assertNotEquals,
  assertStringIncludes,
} from "@std/assert";
import { createTestPanel, snapshotDatabase, type TestPanel, withPanel } from "./support/app.ts";
import { insertUserRows } from "./support/rows.ts";
import { certificateFiles, tlsFiles } from "./support/tls.ts";
import { idleServices } from "../core/services.ts";
import { realHost } from "../core/port_probe.ts";
import { SHADOWSOCKS_METHODS, type ShadowsocksMethod } from "../core/model.ts";
import { findInboundByTag } from "../db/inbounds.ts";

type Json = Record<string, unknown>;
type ApiInbound = {
  id: number;
  tag: string;
  type: string;
  listen: string;
  port: number;
  enabled: boolean;
  users: number;
  uplink: number;
  downlink: number;
  settings: Json & {
    tls?: Json;
    reality?: Json & { shortIds: string[] };
    method?: string;
    serverKey?: string;
    flow?: string;
  };
};

/** Asserts status, then a JSON content type; returns the body. */
async function json<T = Json>(res: Response, status: number): Promise<T> {
  const body = await res.text();
  assertEquals(res.status, status, body);
  assertMatch(res.headers.get("content-type") ?? "", /^application\/json/);
  return JSON.parse(body) as T;
}

async function create(p: TestPanel, body: Json): Promise<ApiInbound> {
  return (await json<{ inbound: ApiInbound }>(await p.api("POST", "/api/v1/inbounds", body), 201))
    .inbound;
}

async function addUser(p: TestPanel, name: string, inboundIds: number[]) {
  const [userId] = await insertUserRows(p.db, [{ name }]);
  for (const inboundId of inboundIds) {
    await p.db.insertInto("user_inbounds").values({ user_id: userId, inbound_id: inboundId })
      .execute();
    await p.db.insertInto("user_inbound_traffic")
      .values({ user_id: userId, inbound_id: inboundId, uplink: 10, downlink: 20 }).execute();
  }
  return userId;
}

// ---------------------------------------------------------------------------------------
// Every type: create, read, patch, delete

interface TypeCase {
  name: string;
  body: Json | ((p: TestPanel) => Promise<Json>);
  check: (inbound: ApiInbound, p: TestPanel) => Promise<void> | void;
  patch: Json;
  /** Checks what a patch with nested values did. */
  patched?: (inbound: ApiInbound) => void;
  selfSigned?: boolean;
}

const typeCases: TypeCase[] = [
  {
    name: "vless plain",
    body: { tag: "vless-plain", type: "vless", port: 20001 },
    check: (i) => assertEquals(i.settings, { flow: "" }),
    patch: { port: 20101 },
  },
  {
    name: "vless with self-signed TLS",
    body: { tag: "vless-tls", type: "vless", port: 20002, tls: { mode: "self_signed" } },
    check: (i, p) => {
      assertEquals(i.settings.tls, {
        serverName: "localhost",
        certificatePath: `${p.dataDir}/tls/vless-tls.crt`,
        keyPath: `${p.dataDir}/tls/vless-tls.key`,
        selfSigned: true,
      });
    },
    patch: { flow: "xtls-rprx-vision" },
    patched: (i) => assertEquals(i.settings.flow, "xtls-rprx-vision"),
    selfSigned: true,
  },
  {
    name: "vless with TLS certificate files",
    body: async (p) => ({
      tag: "vless-files",
      type: "vless",
      port: 20003,
      tls: {
        mode: "files",
        serverName: "proxy.example.com",
        ...(await certificateFiles(`${p.dataDir}/certs`)),
      },
    }),
    check: (i, p) => {
      assertEquals(i.settings.tls, {
        serverName: "proxy.example.com",
        certificatePath: `${p.dataDir}/certs/proxy.example.com.crt`,
        keyPath: `${p.dataDir}/certs/proxy.example.com.key`,
        selfSigned: false,
      });
    },
    patch: { enabled: false },
  },
  {
    name: "vless with Reality and vision",
    body: {
      tag: "vless-reality",
      type: "vless",
      port: 20004,
      flow: "xtls-rprx-vision",
      reality: { handshakeServer: "www.example.com" },
    },
    check: (i) => {
      const r = i.settings.reality!;
      assertEquals(r.handshakeServer, "www.example.com");
      assertEquals(r.handshakePort, 443);
      assertEquals(r.serverName, "www.example.com");
      assertMatch(String(r.publicKey), /^[A-Za-z0-9_-]{43}$/);
      assertEquals(r.privateKey, undefined);
      assertEquals(r.shortIds.length, 1);
      assertMatch(r.shortIds[0], /^[0-9a-f]{16}$/);
      assertEquals(i.settings.flow, "xtls-rprx-vision");
    },
    patch: { reality: { shortIds: ["ab", "0123456789abcdef"] } },
    patched: (i) => assertEquals(i.settings.reality?.shortIds, ["ab", "0123456789abcdef"]),
  },
  {
    name: "vmess",
    body: { tag: "vmess", type: "vmess", listen: "127.0.0.1", port: 20005 },
    check: (i) => {
      assertEquals(i.listen, "127.0.0.1");
      assertEquals(i.settings, {});
    },
    patch: { listen: "0.0.0.0" },
  },
  {
    name: "vmess with self-signed TLS",
    body: {
      tag: "vmess-tls",
      type: "vmess",
      port: 20006,
      tls: { mode: "self_signed", serverName: "vmess.example.com" },
    },
    check: (i) => assertEquals(i.settings.tls?.serverName, "vmess.example.com"),
    patch: { tls: { mode: "none" } },
    patched: (i) => assertEquals(i.settings.tls, undefined),
    selfSigned: true,
  },
  {
    name: "trojan",
    body: { tag: "trojan", type: "trojan", port: 20007, tls: { mode: "self_signed" } },
    check: (i) => assertEquals(i.settings.tls?.selfSigned, true),
    patch: { tag: "trojan-renamed" },
    selfSigned: true,
  },
  ...(Object.keys(SHADOWSOCKS_METHODS) as ShadowsocksMethod[]).map((method, n): TypeCase => ({
    name: `shadowsocks ${method}`,
    body: { tag: `ss-${n}`, type: "shadowsocks", port: 20010 + n, method },
    check: (i) => {
      assertEquals(i.settings.method, method);
      const key = Uint8Array.from(atob(i.settings.serverKey!), (ch) => ch.charCodeAt(0));
      assertEquals(key.length, SHADOWSOCKS_METHODS[method]);
    },
    patch: { port: 20110 + n },
  })),
  {
    name: "hysteria2",
    body: {
      tag: "hy2",
      type: "hysteria2",
      listen: "::1",
      port: 20020,
      tls: { mode: "self_signed", serverName: "::1" },
    },
    check: (i) => {
      assertEquals(i.listen, "::1");
      assertEquals(i.settings.tls?.serverName, "::1");
    },
    patch: { tls: { serverName: "hy2.example.com" } },
    patched: (i) => assertEquals(i.settings.tls?.serverName, "hy2.example.com"),
    selfSigned: true,
  },
  {
    name: "tuic",
    body: { tag: "tuic", type: "tuic", port: 20021, tls: { mode: "self_signed" } },
    check: (i) => assertEquals(i.settings.tls?.serverName, "localhost"),
    patch: { enabled: false },
    selfSigned: true,
  },
  {
    name: "mixed",
    body: { tag: "mixed", type: "mixed", port: 20022, enabled: false },
    check: (i) => {
      assertEquals(i.enabled, false);
      assertEquals(i.settings, {});
    },
    patch: { enabled: true },
  },
];

for (const c of typeCases) {
  Deno.test(`POST/PATCH/DELETE /api/v1/inbounds handles ${c.name}`, () =>
    withPanel(async (p, applied) => {
      const body = typeof c.body === "function" ? await c.body(p) : c.body;
      const created = await create(p, body);
      assertEquals(created.tag, body.tag);
      assertEquals(created.type, body.type);
      assertEquals(created.port, body.port);
      assertEquals(created.users, 0);
      assertEquals([created.uplink, created.downlink], [0, 0]);
      await c.check(created, p);
      if (c.selfSigned) {
        assertEquals(await tlsFiles(p), [`${body.tag}.crt`, `${body.tag}.key`]);
        const key = await Deno.stat(`${p.dataDir}/tls/${body.tag}.key`);
        assertEquals(key.mode! & 0o777, 0o600);
      }

      const listed = await json<{ inbounds: ApiInbound[] }>(
        await p.api("GET", "/api/v1/inbounds"),
        200,
      );
      assertEquals(listed.inbounds, [created]);

      const patched = (await json<{ inbound: ApiInbound }>(
        await p.api("PATCH", `/api/v1/inbounds/${body.tag}`, c.patch),
        200,
      )).inbound;
      assertEquals(patched.id, created.id);
      assertEquals(patched.type, created.type);
      for (const [key, value] of Object.entries(c.patch)) {
        if (key in patched) assertEquals(patched[key as keyof ApiInbound], value);
      }
      c.patched?.(patched);

      const deleted = await json(await p.api("DELETE", `/api/v1/inbounds/${patched.tag}`), 200);
      assertEquals(deleted, { deleted: patched.tag });
      const after = await json<{ inbounds: ApiInbound[] }>(
        await p.api("GET", "/api/v1/inbounds"),
        200,
      );
      assertEquals(after.inbounds, []);
      assertEquals(await tlsFiles(p), []);
      assertEquals(applied, [
        `inbound "${body.tag}" created`,
        `inbound "${patched.tag}" updated`,
        `inbound "${patched.tag}" deleted`,
      ]);
    }));
}

Deno.test("PATCH /api/v1/inbounds/:tag keeps Reality keys and regenerates them on request", () =>
  withPanel(async (p) => {
    await create(p, {
      tag: "r",
      type: "vless",
      port: 443,
      reality: { handshakeServer: "www.example.com", shortIds: ["AbCd"] },
    });
    const stored = (await findInboundByTag(p.db, "r"))!.settings.reality!;
    assertEquals(stored.shortIds, ["abcd"]);
    assertMatch(stored.privateKey, /^[A-Za-z0-9_-]{43}$/);

    await json(
      await p.api("PATCH", "/api/v1/inbounds/r", { reality: { handshakePort: 8443 } }),
      200,
    );
    const kept = (await findInboundByTag(p.db, "r"))!.settings.reality!;
    assertEquals([kept.privateKey, kept.publicKey], [stored.privateKey, stored.publicKey]);
    assertEquals(kept.handshakePort, 8443);

    const res = await p.api("PATCH", "/api/v1/inbounds/r", { reality: { regenerateKeys: true } });
    const body = await json<{ inbound: ApiInbound }>(res, 200);
    const fresh = (await findInboundByTag(p.db, "r"))!.settings.reality!;
    assertNotEquals(fresh.privateKey, stored.privateKey);
    assertEquals(body.inbound.settings.reality?.publicKey, fresh.publicKey);
    assertEquals(JSON.stringify(body).includes(fresh.privateKey), false);
  }));

Deno.test("PATCH /api/v1/inbounds/:tag follows a new handshake server with the server name", () =>
  withPanel(async (p) => {
    await create(p, {
      tag: "r",
      type: "vless",
      port: 443,
      reality: { handshakeServer: "a.example.com" },
    });
    const res = await p.api("PATCH", "/api/v1/inbounds/r", {
      reality: { handshakeServer: "b.example.com" },
    });
    const { inbound } = await json<{ inbound: ApiInbound }>(res, 200);
    assertEquals(inbound.settings.reality?.serverName, "b.example.com");
  }));

Deno.test("PATCH /api/v1/inbounds/:tag switches vless between Reality and TLS", () =>
  withPanel(async (p) => {
    await create(p, {
      tag: "v",
      type: "vless",
      port: 443,
      reality: { handshakeServer: "www.example.com" },
    });
    let res = await p.api("PATCH", "/api/v1/inbounds/v", { tls: { mode: "self_signed" } });
    let { inbound } = await json<{ inbound: ApiInbound }>(res, 200);
    assertEquals(inbound.settings.reality, undefined);
    assertEquals(inbound.settings.tls?.selfSigned, true);
    assertEquals(await tlsFiles(p), ["v.crt", "v.key"]);

    res = await p.api("PATCH", "/api/v1/inbounds/v", { reality: { handshakeServer: "x.org" } });
    ({ inbound } = await json<{ inbound: ApiInbound }>(res, 200));
    assertEquals(inbound.settings.tls, undefined);
    assertEquals(inbound.settings.reality?.handshakeServer, "x.org");
    assertEquals(await tlsFiles(p), []);
  }));

Deno.test("PATCH /api/v1/inbounds/:tag regenerates the Shadowsocks key only with a new method", () =>
  withPanel(async (p) => {
    const [first, second] = Object.keys(SHADOWSOCKS_METHODS);
    const created = await create(p, { tag: "ss", type: "shadowsocks", port: 8388, method: first });
    let res = await p.api("PATCH", "/api/v1/inbounds/ss", { port: 8389 });
    let { inbound } = await json<{ inbound: ApiInbound }>(res, 200);
    assertEquals(inbound.settings.serverKey, created.settings.serverKey);
    res = await p.api("PATCH", "/api/v1/inbounds/ss", { method: second });
    ({ inbound } = await json<{ inbound: ApiInbound }>(res, 200));
    assertEquals(inbound.settings.method, second);
    assertNotEquals(inbound.settings.serverKey, created.settings.serverKey);
    const key = Uint8Array.from(atob(inbound.settings.serverKey!), (ch) => ch.charCodeAt(0));
    assertEquals(key.length, SHADOWSOCKS_METHODS[second as ShadowsocksMethod]);
  }));

Deno.test("PATCH /api/v1/inbounds/:tag regenerates a self-signed certificate for a new name", () =>
  withPanel(async (p) => {
    await create(p, { tag: "t", type: "trojan", port: 443, tls: { mode: "self_signed" } });
    const before = await Deno.readTextFile(`${p.dataDir}/tls/t.crt`);
    await json(await p.api("PATCH", "/api/v1/inbounds/t", { port: 444 }), 200);
    assertEquals(await Deno.readTextFile(`${p.dataDir}/tls/t.crt`), before);
    await json(
      await p.api("PATCH", "/api/v1/inbounds/t", { tls: { serverName: "t.example.com" } }),
      200,
    );
    assertNotEquals(await Deno.readTextFile(`${p.dataDir}/tls/t.crt`), before);
    assertEquals(await tlsFiles(p), ["t.crt", "t.key"]);
  }));

Deno.test("PATCH /api/v1/inbounds/:tag that changes nothing does not reload sing-box", () =>
  withPanel(async (p, applied) => {
    await create(p, { tag: "m", type: "mixed", port: 1080 });
    const before = await snapshotDatabase(p.db);
    const res = await p.api("PATCH", "/api/v1/inbounds/m", { port: 1080, listen: "::" });
    assertEquals((await json<{ inbound: ApiInbound }>(res, 200)).inbound.port, 1080);
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, ['inbound "m" created']);
  }));

Deno.test("PATCH /api/v1/inbounds/:tag normalizes an IPv6 listen address", () =>
  withPanel(async (p) => {
    await create(p, { tag: "m", type: "mixed", port: 1080, listen: "0:0:0:0:0:0:0:1" });
    const { inbound } = await json<{ inbound: ApiInbound }>(
      await p.api("PATCH", "/api/v1/inbounds/m", { listen: "FE80:0:0:0:0:0:0:0001" }),
      200,
    );
    assertEquals(inbound.listen, "fe80::1");
  }));

Deno.test("DELETE /api/v1/inbounds/:tag removes assignments and per-user traffic, not users", () =>
  withPanel(async (p) => {
    const a = await create(p, { tag: "a", type: "mixed", port: 1080 });
    const b = await create(p, { tag: "b", type: "mixed", port: 1081 });
    const userId = await addUser(p, "alice", [a.id, b.id]);
    await json(await p.api("DELETE", "/api/v1/inbounds/a"), 200);
    const links = await p.db.selectFrom("user_inbounds").selectAll().execute();
    assertEquals(links, [{ user_id: userId, inbound_id: b.id }]);
    const traffic = await p.db.selectFrom("user_inbound_traffic").select("inbound_id").execute();
    assertEquals(traffic, [{ inbound_id: b.id }]);
    assertEquals((await p.db.selectFrom("users").select("name").execute()).length, 1);
  }));

Deno.test("GET /api/v1/inbounds/:tag returns one inbound with its user count", () =>
  withPanel(async (p) => {
    const a = await create(p, { tag: "a", type: "mixed", port: 1080 });
    await addUser(p, "alice", [a.id]);
    await addUser(p, "bob", [a.id]);
    const { inbound } = await json<{ inbound: ApiInbound }>(
      await p.api("GET", "/api/v1/inbounds/a"),
      200,
    );
    assertEquals(inbound.users, 2);
  }));

Deno.test("POST /api/v1/inbounds accepts an IP handshake server with a server name", () =>
  withPanel(async (p) => {
    const inbound = await create(p, {
      tag: "r",
      type: "vless",
      port: 443,
      reality: { handshakeServer: "127.0.0.1", handshakePort: 8443, serverName: "a.example" },
    });
    assertEquals(inbound.settings.reality?.handshakeServer, "127.0.0.1");
    assertEquals(inbound.settings.reality?.serverName, "a.example");
  }));

Deno.test("POST /api/v1/inbounds rejects a port another program holds", () =>
  withPanel(async (p, applied) => {
    const squatter = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const port = (squatter.addr as Deno.NetAddr).port;
      const before = await snapshotDatabase(p.db);
      const res = await p.api("POST", "/api/v1/inbounds", {
        tag: "t",
        type: "trojan",
        listen: "127.0.0.1",
        port,
        tls: { mode: "self_signed" },
      });
      const body = await json<{ error: string; fields: Record<string, string> }>(res, 409);
      const message = `Port ${port} (tcp) on 127.0.0.1 is in use by another program`;
      assertEquals(body, { error: message, fields: { port: message } });
      assertEquals(await snapshotDatabase(p.db), before);
      assertEquals(await tlsFiles(p), []);
      assertEquals(applied, []);
    } finally {
      squatter.close();
    }
  }, { host: realHost }));

Deno.test("POST /api/v1/inbounds does not probe a port the running config holds", async () => {
  const squatter = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (squatter.addr as Deno.NetAddr).port;
  const services = idleServices();
  services.core.currentConfig = () =>
    Promise.resolve({ inbounds: [{ tag: "gone", listen: "127.0.0.1", listen_port: port }] });
  const p = await createTestPanel({ services, host: realHost });
  try {
    // sing-box still holds the port of an inbound deleted a moment ago.
    const inbound = await create(p, { tag: "m", type: "mixed", listen: "127.0.0.1", port });
    assertEquals(inbound.port, port);
  } finally {
    squatter.close();
    await p.close();
  }
});

Deno.test("PATCH /api/v1/inbounds/:tag does not probe the inbound's own port", () =>
  withPanel(async (p) => {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    await create(p, { tag: "m", type: "mixed", listen: "127.0.0.1", port });
    // Now "sing-box" serves it.
    const running = Deno.listen({ hostname: "127.0.0.1", port });
    try {
      const res = await p.api("PATCH", "/api/v1/inbounds/m", { enabled: false });
      assertEquals((await json<{ inbound: ApiInbound }>(res, 200)).inbound.enabled, false);
    } finally {
      running.close();
    }
  }, { host: realHost }));

// ---------------------------------------------------------------------------------------
// Sorting

async function trafficFixture(p: TestPanel) {
  // Totals: a=300, b=50, c=300 (tie with a), d=0.
  const traffic: Record<string, [number, number]> = {
    a: [100, 200],
    b: [50, 0],
    c: [0, 300],
    d: [0, 0],
  };
  let port = 30000;
  for (const tag of ["c", "a", "d", "b"]) {
    await create(p, { tag, type: "mixed", port: port++ });
    const [uplink, downlink] = traffic[tag];
    await p.db.updateTable("inbounds").set({ uplink, downlink }).where("tag", "=", tag).execute();
  }
}

for (
  const [sort, order] of [
    ["tag", ["a", "b", "c", "d"]],
    ["traffic_desc", ["c", "a", "b", "d"]],
    ["traffic_asc", ["d", "b", "a", "c"]],
  ] as const
) {
  Deno.test(`GET /api/v1/inbounds?sort=${sort} orders by ${sort} with tag as tiebreak`, () =>
    withPanel(async (p) => {
      await trafficFixture(p);
      const { inbounds } = await json<{ inbounds: ApiInbound[] }>(
        await p.api("GET", `/api/v1/inbounds?sort=${sort}`),
        200,
      );
      assertEquals(inbounds.map((i) => i.tag), [...order]);
      const a = inbounds.find((i) => i.tag === "a")!;
      assertEquals([a.uplink, a.downlink], [100, 200]);
    }));
}

Deno.test("GET /api/v1/inbounds counts each inbound's users", () =>
  withPanel(async (p) => {
    const a = await create(p, { tag: "a", type: "mixed", port: 1080 });
    const b = await create(p, { tag: "b", type: "mixed", port: 1081 });
    await addUser(p, "u1", [a.id, b.id]);
    await addUser(p, "u2", [a.id]);
    const { inbounds } = await json<{ inbounds: ApiInbound[] }>(
      await p.api("GET", "/api/v1/inbounds"),
      200,
    );
    assertEquals(inbounds.map((i) => [i.tag, i.users]), [["a", 2], ["b", 1]]);
  }));

Deno.test("GET /api/v1/inbounds rejects an unknown sort", () =>
  withPanel(async (p) => {
    const body = await json<{ error: string; fields: Json }>(
      await p.api("GET", "/api/v1/inbounds?sort=users"),
      422,
    );
    assertStringIncludes(body.error, `Sort "users" is not supported`);
    assertExists(body.fields.sort);
  }));

// ---------------------------------------------------------------------------------------
// Bad input catalog

interface BadCase {
  name: string;
  method?: "POST" | "PATCH";
  path?: string;
  body: Json | string | unknown[] | null | ((p: TestPanel) => Json);
  status: number;
  field?: string;
  message?: string;
}

const SCRIPT = "<script>alert(1)</script>";
const ok = { type: "vless", port: 443 };

const badCases: BadCase[] = [
  {
    name: "a duplicate tag",
    body: { tag: "existing", type: "mixed", port: 9999 },
    status: 409,
    field: "tag",
    message: `Tag "existing" is already used by another inbound`,
  },
  {
    name: "a port used by another inbound",
    body: { tag: "new", type: "trojan", port: 8443, tls: { mode: "self_signed" } },
    status: 409,
    field: "port",
    message: `Port 8443 is already used by inbound "existing"`,
  },
  {
    name: "a specific address on a port a wildcard inbound uses",
    body: { tag: "new", type: "mixed", listen: "127.0.0.1", port: 8443 },
    status: 409,
    field: "port",
    message: `Port 8443 is already used by inbound "existing"`,
  },
  {
    name: "a wildcard address on a port a specific inbound uses",
    body: { tag: "new", type: "mixed", listen: "0.0.0.0", port: 7000 },
    status: 409,
    field: "port",
    message: `Port 7000 is already used by inbound "local"`,
  },
  {
    name: "the same port on the same address written differently",
    body: { tag: "new", type: "mixed", listen: "0:0::0", port: 8443 },
    status: 409,
    field: "port",
  },
  {
    name: "the panel's own port",
    body: { tag: "new", type: "mixed", port: 2095 },
    status: 409,
    field: "port",
    message: "Port 2095 is used by the panel itself",
  },
  { name: "port 0", body: { ...ok, tag: "x", port: 0 }, status: 422, field: "port" },
  { name: "port 70000", body: { ...ok, tag: "x", port: 70000 }, status: 422, field: "port" },
  { name: "port 1.5", body: { ...ok, tag: "x", port: 1.5 }, status: 422, field: "port" },
  { name: `port "abc"`, body: { ...ok, tag: "x", port: "abc" }, status: 422, field: "port" },
  { name: "a missing port", body: { tag: "x", type: "mixed" }, status: 422, field: "port" },
  { name: "a tag with a space", body: { ...ok, tag: "a b" }, status: 422, field: "tag" },
  { name: "a tag with a slash", body: { ...ok, tag: "a/b" }, status: 422, field: "tag" },
  { name: `">>>" in a tag`, body: { ...ok, tag: "a>>>b" }, status: 422, field: "tag" },
  { name: `"|" in a tag`, body: { ...ok, tag: "a|b" }, status: 422, field: "tag" },
  { name: "an empty tag", body: { ...ok, tag: "" }, status: 422, field: "tag" },
  { name: "a 49-character tag", body: { ...ok, tag: "t".repeat(49) }, status: 422, field: "tag" },
  { name: "a huge tag", body: { ...ok, tag: "t".repeat(5000) }, status: 422, field: "tag" },
  { name: "a script tag", body: { ...ok, tag: SCRIPT }, status: 422, field: "tag" },
  { name: "a script type", body: { ...ok, tag: "x", type: SCRIPT }, status: 422, field: "type" },
  {
    name: "a script listen address",
    body: { ...ok, tag: "x", listen: SCRIPT },
    status: 422,
    field: "listen",
  },
  {
    name: "a script TLS server name",
    body: { ...ok, tag: "x", tls: { mode: "self_signed", serverName: SCRIPT } },
    status: 422,
    field: "tls.serverName",
  },
  {
    name: "a script certificate path",
    body: {
      ...ok,
      tag: "x",
      tls: { mode: "files", serverName: "a.com", certificatePath: `/${SCRIPT}`, keyPath: "/k" },
    },
    status: 422,
    field: "tls.certificatePath",
  },
  {
    name: "a script key path",
    body: {
      ...ok,
      tag: "x",
      tls: { mode: "files", serverName: "a.com", certificatePath: "/c", keyPath: SCRIPT },
    },
    status: 422,
    field: "tls.keyPath",
  },
  {
    name: "a script handshake server",
    body: { ...ok, tag: "x", reality: { handshakeServer: SCRIPT } },
    status: 422,
    field: "reality.handshakeServer",
  },
  {
    name: "a script Reality server name",
    body: { ...ok, tag: "x", reality: { handshakeServer: "a.com", serverName: SCRIPT } },
    status: 422,
    field: "reality.serverName",
  },
  {
    name: "a script short id",
    body: { ...ok, tag: "x", reality: { handshakeServer: "a.com", shortIds: [SCRIPT] } },
    status: 422,
    field: "reality.shortIds",
  },
  { name: "a script flow", body: { ...ok, tag: "x", flow: SCRIPT }, status: 422, field: "flow" },
  {
    name: "a script method",
    body: { tag: "x", type: "shadowsocks", port: 443, method: SCRIPT },
    status: 422,
    field: "method",
  },
  {
    name: "a listen host name",
    body: { ...ok, tag: "x", listen: "localhost" },
    status: 422,
    field: "listen",
  },
  {
    name: "an IPv4 address out of range",
    body: { ...ok, tag: "x", listen: "1.2.3.256" },
    status: 422,
    field: "listen",
  },
  {
    name: "an IPv6 address with a zone",
    body: { ...ok, tag: "x", listen: "fe80::1%eth0" },
    status: 422,
    field: "listen",
  },
  {
    name: "an oversize listen address",
    body: { ...ok, tag: "x", listen: "1".repeat(5000) },
    status: 422,
    field: "listen",
  },
  {
    name: "a 254-character server name",
    body: { ...ok, tag: "x", tls: { mode: "self_signed", serverName: `${"a".repeat(250)}.com` } },
    status: 422,
    field: "tls.serverName",
  },
  {
    name: "an oversize certificate path",
    body: {
      ...ok,
      tag: "x",
      tls: { mode: "files", serverName: "a.com", certificatePath: `/${"c".repeat(2000)}` },
    },
    status: 422,
    field: "tls.certificatePath",
  },
  {
    name: "an oversize handshake server",
    body: { ...ok, tag: "x", reality: { handshakeServer: `${"a.".repeat(200)}com` } },
    status: 422,
    field: "reality.handshakeServer",
  },
  { name: "malformed JSON", body: "{not json", status: 400 },
  { name: "an empty body", body: "", status: 400 },
  { name: "a JSON array body", body: [{ tag: "x" }], status: 400 },
  { name: "a JSON null body", body: "null", status: 400 },
  { name: "a JSON string body", body: `"vless"`, status: 400 },
  {
    name: "an unknown type",
    body: { tag: "x", type: "wireguard", port: 443 },
    status: 422,
    field: "type",
  },
  { name: "an unknown field", body: { ...ok, tag: "x", listen_port: 1 }, status: 422 },
  {
    name: "a __proto__ field",
    body: `{"tag":"x","type":"vless","port":443,"__proto__":{"admin":true}}`,
    status: 422,
    field: "(__proto__)",
  },
  {
    name: "a string for enabled",
    body: { ...ok, tag: "x", enabled: "yes" },
    status: 422,
    field: "enabled",
  },
  {
    name: "a missing certificate file",
    body: {
      ...ok,
      tag: "x",
      tls: { mode: "files", serverName: "a.com", certificatePath: "/x.pem", keyPath: "/x.key" },
    },
    status: 422,
    field: "tls.certificatePath",
    message: `Certificate file "/x.pem" does not exist`,
  },
  {
    name: "a directory as key file",
    body: (p) => ({
      ...ok,
      tag: "x",
      tls: { mode: "files", serverName: "a.com", certificatePath: "/x.pem", keyPath: p.dataDir },
    }),
    status: 422,
    field: "tls.keyPath",
  },
  {
    name: "a relative certificate path",
    body: {
      ...ok,
      tag: "x",
      tls: { mode: "files", serverName: "a.com", certificatePath: "c.pem", keyPath: "/k" },
    },
    status: 422,
    field: "tls.certificatePath",
  },
  {
    name: "certificate files without a server name",
    body: { ...ok, tag: "x", tls: { mode: "files", certificatePath: "/c", keyPath: "/k" } },
    status: 422,
    field: "tls.serverName",
  },
  {
    name: "an unknown TLS mode",
    body: { ...ok, tag: "x", tls: { mode: "acme" } },
    status: 422,
    field: "tls.mode",
  },
  {
    name: "flow vision without TLS",
    body: { ...ok, tag: "x", flow: "xtls-rprx-vision" },
    status: 422,
    field: "flow",
    message: "Flow xtls-rprx-vision needs TLS or Reality",
  },
  {
    name: "an unknown flow",
    body: { ...ok, tag: "x", flow: "xtls-rprx-direct" },
    status: 422,
    field: "flow",
  },
  {
    name: "a short id that is not hex",
    body: { ...ok, tag: "x", reality: { handshakeServer: "a.com", shortIds: ["xyz1"] } },
    status: 422,
    field: "reality.shortIds",
  },
  {
    name: "a short id of odd length",
    body: { ...ok, tag: "x", reality: { handshakeServer: "a.com", shortIds: ["abc"] } },
    status: 422,
    field: "reality.shortIds",
  },
  {
    name: "a short id longer than 16",
    body: {
      ...ok,
      tag: "x",
      reality: { handshakeServer: "a.com", shortIds: ["0123456789abcdef01"] },
    },
    status: 422,
    field: "reality.shortIds",
  },
  {
    name: "short ids that are not a list",
    body: { ...ok, tag: "x", reality: { handshakeServer: "a.com", shortIds: "ab" } },
    status: 422,
    field: "reality.shortIds",
  },
  {
    name: "an IP handshake server without a server name",
    body: { ...ok, tag: "x", reality: { handshakeServer: "192.0.2.1" } },
    status: 422,
    field: "reality.serverName",
    message: "Server name is required when the handshake server is an IP address",
  },
  {
    name: "an IP Reality server name",
    body: { ...ok, tag: "x", reality: { handshakeServer: "a.com", serverName: "192.0.2.1" } },
    status: 422,
    field: "reality.serverName",
  },
  {
    name: "Reality without a handshake server",
    body: { ...ok, tag: "x", reality: {} },
    status: 422,
    field: "reality.handshakeServer",
  },
  {
    name: "a handshake port of 0",
    body: { ...ok, tag: "x", reality: { handshakeServer: "a.com", handshakePort: 0 } },
    status: 422,
    field: "reality.handshakePort",
  },
  {
    name: "both TLS and Reality",
    body: {
      ...ok,
      tag: "x",
      tls: { mode: "self_signed" },
      reality: { handshakeServer: "a.com" },
    },
    status: 422,
    field: "reality",
  },
  {
    name: "Reality on vmess",
    body: { tag: "x", type: "vmess", port: 443, reality: { handshakeServer: "a.com" } },
    status: 422,
    field: "reality",
  },
  {
    name: "trojan without TLS",
    body: { tag: "x", type: "trojan", port: 443 },
    status: 422,
    field: "tls.mode",
    message: "Trojan inbounds need TLS",
  },
  {
    name: "hysteria2 with TLS mode none",
    body: { tag: "x", type: "hysteria2", port: 443, tls: { mode: "none" } },
    status: 422,
    field: "tls.mode",
  },
  {
    name: "TLS on a mixed inbound",
    body: { tag: "x", type: "mixed", port: 443, tls: { mode: "self_signed" } },
    status: 422,
    field: "tls.mode",
  },
  {
    name: "a method on vless",
    body: { ...ok, tag: "x", method: "2022-blake3-aes-128-gcm" },
    status: 422,
    field: "method",
  },
  {
    name: "shadowsocks without a method",
    body: { tag: "x", type: "shadowsocks", port: 443 },
    status: 422,
    field: "method",
  },
  {
    name: "shadowsocks chacha20 (single-user only in sing-box)",
    body: { tag: "x", type: "shadowsocks", port: 443, method: "2022-blake3-chacha20-poly1305" },
    status: 422,
    field: "method",
    message:
      "Method 2022-blake3-chacha20-poly1305 cannot serve several users in sing-box; choose an AES method",
  },
  {
    name: "a legacy shadowsocks method",
    body: { tag: "x", type: "shadowsocks", port: 443, method: "aes-256-gcm" },
    status: 422,
    field: "method",
  },
  {
    name: "a control character in a server name",
    body: { ...ok, tag: "x", tls: { mode: "self_signed", serverName: "a\u0000b" } },
    status: 422,
    field: "tls.serverName",
  },
  {
    name: "a type change",
    method: "PATCH",
    path: "/api/v1/inbounds/existing",
    body: { type: "vmess" },
    status: 422,
    field: "type",
  },
  {
    name: "a rename onto another inbound's tag",
    method: "PATCH",
    path: "/api/v1/inbounds/existing",
    body: { tag: "local" },
    status: 409,
    field: "tag",
  },
  {
    name: "a port move onto another inbound",
    method: "PATCH",
    path: "/api/v1/inbounds/local",
    body: { port: 8443, tls: { mode: "self_signed" } },
    status: 409,
    field: "port",
  },
  {
    name: "a patch of a missing inbound",
    method: "PATCH",
    path: "/api/v1/inbounds/missing",
    body: { port: 1 },
    status: 404,
  },
  {
    name: "a patch with a bad field",
    method: "PATCH",
    path: "/api/v1/inbounds/existing",
    body: { port: 0, tls: { serverName: SCRIPT } },
    status: 422,
    field: "port",
  },
];

for (const c of badCases) {
  const method = c.method ?? "POST";
  const path = c.path ?? "/api/v1/inbounds";
  Deno.test(`${method} ${path} rejects ${c.name}`, () =>
    withPanel(async (p, applied) => {
      await create(p, {
        tag: "existing",
        type: "trojan",
        port: 8443,
        tls: {
          mode: "files",
          serverName: "a.com",
          ...(await certificateFiles(`${p.dataDir}/certs`)),
        },
      });
      await create(p, { tag: "local", type: "vmess", listen: "127.0.0.1", port: 7000 });
      applied.length = 0;
      const before = await snapshotDatabase(p.db);
      const body = typeof c.body === "function" ? c.body(p) : c.body;
      const res = await p.api(method, path, body);
      const error = await json<{ error: string; fields: Record<string, string> }>(res, c.status);
      assert(error.error.length > 0);
      if (c.field) assertExists(error.fields[c.field], JSON.stringify(error));
      if (c.message) {
        assertStringIncludes(error.error, c.message);
        if (c.field) assertEquals(error.fields[c.field], c.message);
      }
      assertEquals(await snapshotDatabase(p.db), before);
      assertEquals(await tlsFiles(p), []);
      assertEquals(applied, []);
    }));
}

Deno.test("POST /api/v1/inbounds rejects a body over 64 KB", () =>
  withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    const res = await p.api("POST", "/api/v1/inbounds", {
      ...ok,
      tag: "x",
      pad: "x".repeat(70_000),
    });
    const body = await json<{ error: string }>(res, 413);
    assertStringIncludes(body.error, "larger than 64 KB");
    assertEquals(await snapshotDatabase(p.db), before);
  }));

Deno.test("DELETE /api/v1/inbounds/:tag answers 404 for an unknown tag", () =>
  withPanel(async (p) => {
    const body = await json<{ error: string }>(await p.api("DELETE", "/api/v1/inbounds/nope"), 404);
    assertEquals(body.error, `Inbound "nope" does not exist`);
  }));

Deno.test("GET /api/v1/inbounds/:tag answers 404 for an unknown tag", () =>
  withPanel(async (p) => {
    await json(await p.api("GET", "/api/v1/inbounds/nope"), 404);
  }));

// ---------------------------------------------------------------------------------------
// Authentication and CSRF

const apiRoutes: Array<[string, string]> = [
  ["GET", "/api/v1/inbounds"],
  ["GET", "/api/v1/inbounds/existing"],
  ["POST", "/api/v1/inbounds"],
  ["PATCH", "/api/v1/inbounds/existing"],
  ["DELETE", "/api/v1/inbounds/existing"],
];

for (const [method, path] of apiRoutes) {
  Deno.test(`${method} ${path} without credentials answers 401 JSON`, () =>
    withPanel(async (p) => {
      await create(p, { tag: "existing", type: "mixed", port: 1080 });
      const before = await snapshotDatabase(p.db);
      for (
        const headers of [{}, { Authorization: "Bearer wrong-token" }] as Array<
          Record<string, string>
        >
      ) {
        const res = await p.app.request(path, {
          method,
          headers: { ...headers, "Content-Type": "application/json" },
          body: method === "GET" || method === "DELETE"
            ? undefined
            : JSON.stringify({ tag: "n", type: "mixed", port: 1081 }),
        });
        const body = await json<{ error: string }>(res, 401);
        assert(body.error.length > 0);
      }
      assertEquals(await snapshotDatabase(p.db), before);
    }));
}

Deno.test("POST /api/v1/inbounds with a session but no CSRF token answers 403", () =>
  withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    const res = await p.request("/api/v1/inbounds", {
      method: "POST",
      csrf: false,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ tag: "n", type: "mixed", port: 1081 }),
    });
    await json(res, 403);
    assertEquals(await snapshotDatabase(p.db), before);
  }));

Deno.test("POST /api/v1/inbounds with a session and its CSRF header creates the inbound", () =>
  withPanel(async (p) => {
    const res = await p.request("/api/v1/inbounds", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ tag: "n", type: "mixed", port: 1081 }),
    });
    assertEquals((await json<{ inbound: ApiInbound }>(res, 201)).inbound.tag, "n");
  }));
