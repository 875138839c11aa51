import {
  assert,
  assertEquals,
  assertNotEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  generateSingBoxConfig,
  maskSecrets,
  MULTI_USER_SHADOWSOCKS_METHODS,
  SECRET_MASK,
  type SingBoxConfigInput,
} from "./sing_box_config.ts";
import { clientOutbound } from "../subscriptions/client_outbound.ts";
import { generatePassword, generateShadowsocksKey, shadowsocksUserKey } from "../keys.ts";
import { type Inbound, SHADOWSOCKS_METHODS, type ShadowsocksMethod, type User } from "../model.ts";
import { pairStatName } from "../stats/stats_names.ts";
import {
  checkSingBoxConfig,
  makeInbound,
  makeReality,
  makeUser,
  requireSingBox,
  singBoxTestOptions,
  writeSelfSignedTls,
} from "../../tests/support/sing_box.ts";

const NOW = Date.UTC(2026, 0, 15);
const DAY = 24 * 3600 * 1000;
const API = "127.0.0.1:10085";

type Json = Record<string, unknown>;
const inboundsOf = (config: Json) => config.inbounds as Json[];
const statsOf = (config: Json) =>
  ((config.experimental as Json).v2ray_api as Json).stats as {
    enabled: boolean;
    inbounds: string[];
    outbounds: string[];
    users: string[];
  };

/** Builds the inbounds of one test case; TLS files go to `dir`. */
type CaseBuilder = (dir: string) => Promise<Array<{ inbound: Inbound; users: User[] }>>;

let port = 20000;
const one = (
  tag: string,
  type: Inbound["type"],
  settings: Inbound["settings"] = {},
  users = [makeUser({ name: `alice@${tag}.example` })],
) => [{ inbound: makeInbound({ id: port, tag, type, port: port++, settings }), users }];

const cases: Array<[string, CaseBuilder]> = [
  ["vless plain", () => Promise.resolve(one("vless-plain", "vless"))],
  ["vless with TLS and vision", async (dir) =>
    one("vless-tls", "vless", {
      tls: await writeSelfSignedTls(dir, "vless.example"),
      flow: "xtls-rprx-vision",
    })],
  ["vless with Reality and vision", async () =>
    one("vless-reality", "vless", {
      reality: await makeReality("www.example.com", 443, "www.example.com"),
      flow: "xtls-rprx-vision",
    })],
  ["vmess plain", () => Promise.resolve(one("vmess-plain", "vmess"))],
  [
    "vmess with TLS",
    async (dir) =>
      one("vmess-tls", "vmess", { tls: await writeSelfSignedTls(dir, "vmess.example") }),
  ],
  [
    "trojan",
    async (dir) =>
      one("trojan", "trojan", { tls: await writeSelfSignedTls(dir, "trojan.example") }),
  ],
  ...MULTI_USER_SHADOWSOCKS_METHODS.map((method): [string, CaseBuilder] => {
    return [`shadowsocks ${method}`, () =>
      Promise.resolve(
        one(`ss-${method}`, "shadowsocks", { method, serverKey: generateShadowsocksKey(method) }, [
          makeUser({ name: "a.b" }),
          makeUser({ name: "c@d" }),
        ]),
      )];
  }),
  [
    "hysteria2",
    async (dir) => one("hy2", "hysteria2", { tls: await writeSelfSignedTls(dir, "hy2.example") }),
  ],
  [
    "tuic",
    async (dir) => one("tuic", "tuic", { tls: await writeSelfSignedTls(dir, "tuic.example") }),
  ],
  ["mixed", () => Promise.resolve(one("mixed", "mixed"))],
  ["every type at once with several users", (dir) => everything(dir)],
];

/** One inbound of every type, several users, plus everything that must be left out. */
async function everything(dir: string) {
  const tls = await writeSelfSignedTls(dir, "panel.example");
  const users = [
    makeUser({ name: "alice" }),
    makeUser({ name: "bob.smith@example.com" }),
    makeUser({ name: "near", trafficLimit: 100, uplink: 90, downlink: 0 }),
    makeUser({ name: "soon", expiresAt: NOW + DAY }),
  ];
  const limited = makeUser({ name: "limited", trafficLimit: 100, uplink: 60, downlink: 40 });
  const expired = makeUser({ name: "expired", expiresAt: NOW - 1 });
  const disabled = makeUser({ name: "disabled", enabled: false });
  const all = [...users, limited, expired, disabled];
  const method = "2022-blake3-aes-256-gcm";
  const reality = await makeReality("www.example.com", 443, "www.example.com");
  const list: Array<[string, Inbound["type"], Inbound["settings"]]> = [
    ["vless-plain", "vless", {}],
    ["vless-reality", "vless", { reality, flow: "xtls-rprx-vision" }],
    ["vless-tls", "vless", { tls }],
    ["vmess", "vmess", {}],
    ["vmess-tls", "vmess", { tls }],
    ["trojan", "trojan", { tls }],
    ["ss", "shadowsocks", { method, serverKey: generateShadowsocksKey(method) }],
    ["hy2", "hysteria2", { tls }],
    ["tuic", "tuic", { tls }],
    ["mixed", "mixed", {}],
  ];
  const included = list.map(([tag, type, settings], i) => ({
    inbound: makeInbound({ id: i + 1, tag, type, port: 21000 + i, settings }),
    users: all,
  }));
  return [
    ...included,
    {
      inbound: makeInbound({ id: 100, tag: "empty", type: "vmess", port: 21100 }),
      users: [],
    },
    {
      inbound: makeInbound({ id: 101, tag: "only-limited", type: "trojan", port: 21101 }),
      users: [limited, expired, disabled],
    },
    {
      inbound: makeInbound({ id: 102, tag: "off", type: "vless", port: 21102, enabled: false }),
      users,
    },
  ];
}

async function withTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "singdeck-config-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function checkConfig(bin: string, dir: string, config: Json) {
  const file = `${dir}/config.json`;
  await Deno.writeTextFile(file, JSON.stringify(config, null, 2));
  return await checkSingBoxConfig(bin, file);
}

for (const [name, build] of cases) {
  Deno.test({
    ...singBoxTestOptions(`generateSingBoxConfig() passes sing-box check: ${name}`),
    fn: () =>
      withTempDir(async (dir) => {
        const bin = requireSingBox();
        const inbounds = await build(dir);
        const { config, pairs } = generateSingBoxConfig({ inbounds, apiListen: API, now: NOW });
        assert(pairs.length > 0);
        const result = await checkConfig(bin, dir, config);
        assertEquals(result.code, 0, result.output);
        assertEquals(result.output.trim(), "");

        const { inbound, users } = inbounds[0];
        const client = {
          outbounds: [clientOutbound(inbound, users[0], "127.0.0.1", { insecure: true })],
        };
        const clientResult = await checkConfig(bin, dir, client);
        assertEquals(clientResult.code, 0, clientResult.output);
      }),
  });
}

Deno.test({
  ...singBoxTestOptions("generateSingBoxConfig() output fails sing-box check without its cert"),
  fn: () =>
    withTempDir(async (dir) => {
      const bin = requireSingBox();
      const tls = await writeSelfSignedTls(dir, "trojan.example");
      const { config } = generateSingBoxConfig({
        inbounds: one("trojan-missing", "trojan", {
          tls: { ...tls, certificatePath: `${dir}/missing.crt` },
        }),
        apiListen: API,
        now: NOW,
      });
      const result = await checkConfig(bin, dir, config);
      assertNotEquals(result.code, 0);
      assertStringIncludes(result.output, "FATAL");
      assertStringIncludes(result.output, "missing.crt");
    }),
});

Deno.test({
  ...singBoxTestOptions("generateSingBoxConfig() refuses Shadowsocks chacha20, as sing-box does"),
  fn: () =>
    withTempDir(async (dir) => {
      const bin = requireSingBox();
      // Not offered (SHADOWSOCKS_METHODS lacks it); a stored one is refused all the same.
      const method = "2022-blake3-chacha20-poly1305" as ShadowsocksMethod;
      assertEquals(Object.keys(SHADOWSOCKS_METHODS).includes(method), false);
      assertEquals(
        [...MULTI_USER_SHADOWSOCKS_METHODS].sort(),
        Object.keys(SHADOWSOCKS_METHODS).sort(),
      );
      const serverKey = generatePassword(); // 32 bytes, the chacha20 key length
      const user = makeUser({ name: "alice" });
      assertThrows(
        () =>
          generateSingBoxConfig({
            inbounds: one("ss-chacha", "shadowsocks", { method, serverKey }, [user]),
            apiListen: API,
            now: NOW,
          }),
        Error,
        method,
      );
      const handWritten = {
        inbounds: [{
          type: "shadowsocks",
          tag: "ss-chacha",
          listen: "127.0.0.1",
          listen_port: 21999,
          method,
          password: serverKey,
          users: [{ name: "alice", password: user.password }],
        }],
      };
      const result = await checkConfig(bin, dir, handWritten);
      assertNotEquals(result.code, 0);
      assertStringIncludes(result.output, "invalid argument");
    }),
});

Deno.test("generateSingBoxConfig() lists exactly the included inbounds and pairs", async () => {
  await withTempDir(async (dir) => {
    const input = await everything(dir);
    const { config, pairs, inboundTags } = generateSingBoxConfig({
      inbounds: input,
      apiListen: API,
      now: NOW,
    });
    const includedTags = [
      "vless-plain",
      "vless-reality",
      "vless-tls",
      "vmess",
      "vmess-tls",
      "trojan",
      "ss",
      "hy2",
      "tuic",
      "mixed",
    ];
    const activeNames = ["alice", "bob.smith@example.com", "near", "soon"];
    const expectedPairs = includedTags.flatMap((tag) =>
      activeNames.map((userName) => pairStatName(userName, tag))
    );
    assertEquals(inboundTags, includedTags);
    assertEquals(inboundsOf(config).map((inbound) => inbound.tag), includedTags);
    assertEquals(pairs.map((pair) => pair.name), expectedPairs);
    const stats = statsOf(config);
    assertEquals(stats.enabled, true);
    assertEquals(stats.inbounds, includedTags);
    assertEquals(stats.users, expectedPairs);
    assertEquals(stats.outbounds, ["direct", "block"]);
    assertEquals((config.route as Json).final, "direct");
    assertEquals(((config.experimental as Json).v2ray_api as Json).listen, API);

    const byTag = new Map(input.map(({ inbound, users }) => [inbound.tag, { inbound, users }]));
    for (const pair of pairs) {
      const tag = pair.name.slice(pair.name.lastIndexOf("|") + 1);
      const source = byTag.get(tag)!;
      assertEquals(pair.inboundId, source.inbound.id);
      const user = source.users.find((u) => u.id === pair.userId)!;
      assertEquals(pairStatName(user.name, tag), pair.name);
    }
    for (const inbound of inboundsOf(config)) {
      const names = (inbound.users as Json[]).map((u) => u.name ?? u.username);
      assertEquals(names, activeNames.map((n) => pairStatName(n, inbound.tag as string)));
    }
  });
});

Deno.test("generateSingBoxConfig() writes each protocol's user fields", async () => {
  await withTempDir(async (dir) => {
    const input = await everything(dir);
    const alice = input[0].users[0];
    const { config } = generateSingBoxConfig({ inbounds: input, apiListen: API, now: NOW });
    const inbound = (tag: string) => inboundsOf(config).find((i) => i.tag === tag)!;
    const firstUser = (tag: string) => (inbound(tag).users as Json[])[0];
    assertEquals(firstUser("vless-plain"), { name: "alice|vless-plain", uuid: alice.uuid });
    assertEquals(firstUser("vless-reality").flow, "xtls-rprx-vision");
    assertEquals(firstUser("vmess"), { name: "alice|vmess", uuid: alice.uuid, alterId: 0 });
    assertEquals(firstUser("trojan"), { name: "alice|trojan", password: alice.password });
    assertEquals(firstUser("hy2"), { name: "alice|hy2", password: alice.password });
    assertEquals(firstUser("tuic"), {
      name: "alice|tuic",
      uuid: alice.uuid,
      password: alice.password,
    });
    assertEquals(firstUser("mixed"), { username: "alice|mixed", password: alice.password });
    const ss = inbound("ss");
    const ssSettings = input.find((i) => i.inbound.tag === "ss")!.inbound.settings;
    assertEquals(ss.method, "2022-blake3-aes-256-gcm");
    assertEquals(ss.password, ssSettings.serverKey);
    assertEquals(
      firstUser("ss").password,
      shadowsocksUserKey(alice.password, "2022-blake3-aes-256-gcm"),
    );
    assertEquals((inbound("tuic").tls as Json).alpn, ["h3"]);
    assertEquals((inbound("hy2").tls as Json).alpn, ["h3"]);
    assertEquals(inbound("tuic").congestion_control, "bbr");
    const reality = (inbound("vless-reality").tls as Json).reality as Json;
    assertEquals(reality.handshake, { server: "www.example.com", server_port: 443 });
    assertEquals(config.log, { level: "info", timestamp: true });
  });
});

Deno.test("generateSingBoxConfig() leaves out inbounds with no active users", () => {
  const input: SingBoxConfigInput = {
    inbounds: [
      { inbound: makeInbound({ tag: "a", type: "mixed" }), users: [] },
      {
        inbound: makeInbound({ tag: "b", type: "mixed" }),
        users: [makeUser({ name: "x", expiresAt: NOW })],
      },
    ],
    apiListen: API,
    logLevel: "warn",
    now: NOW,
  };
  const { config, pairs, inboundTags } = generateSingBoxConfig(input);
  assertEquals(inboundsOf(config), []);
  assertEquals(pairs, []);
  assertEquals(inboundTags, []);
  assertEquals(statsOf(config).users, []);
  assertEquals((config.log as Json).level, "warn");
});

Deno.test("generateSingBoxConfig() rejects a non-loopback stats API address", () => {
  const inbounds = one("m", "mixed");
  for (const apiListen of ["127.0.0.1:10085", "127.9.8.7:1", "[::1]:10085", "localhost:80"]) {
    generateSingBoxConfig({ inbounds, apiListen, now: NOW });
  }
  for (
    const apiListen of [
      "0.0.0.0:10085",
      "192.168.1.5:10085",
      "[::]:10085",
      "example.com:10085",
      ":10085",
      "127.0.0.1",
      "::1:10085",
      "127.0.0.1:0",
      "127.0.0.256:10085",
      "127.0.0.1.evil.example:10085",
    ]
  ) {
    assertThrows(
      () => generateSingBoxConfig({ inbounds, apiListen, now: NOW }),
      Error,
      apiListen,
    );
  }
});

Deno.test("generateSingBoxConfig() keeps proxy users off this host by default", () => {
  const { config } = generateSingBoxConfig({
    inbounds: one("m", "mixed"),
    apiListen: "[::1]:12345",
    panelPort: 2095,
    hostAddresses: ["203.0.113.7", "2001:db8::7"],
    now: NOW,
  });
  const rules = (config.route as Json).rules as Json[];
  assertEquals(rules[0], {
    domain: ["localhost"],
    domain_suffix: [".localhost"],
    action: "reject",
  });
  assertEquals(rules[1], { action: "resolve" }, "domains resolve before the IP rules match");
  assertEquals(rules[2].port, [12345, 2095]);
  assertEquals(rules[2].action, "reject");
  const host = rules[2].ip_cidr as string[];
  for (const cidr of ["127.0.0.0/8", "::1/128", "203.0.113.7/32", "2001:db8::7/128"]) {
    assert(host.includes(cidr), `${cidr} is this host`);
  }
  assertEquals(rules[3], { ip_is_private: true, action: "reject" });
  assert((rules[4].ip_cidr as string[]).includes("100.64.0.0/10"));
  assertEquals(rules.length, 5);
});

Deno.test("generateSingBoxConfig() with private egress allowed still closes the panel and stats ports here", () => {
  const { config } = generateSingBoxConfig({
    inbounds: one("m2", "mixed"),
    apiListen: API,
    panelPort: 2095,
    allowPrivateEgress: true,
    now: NOW,
  });
  const rules = (config.route as Json).rules as Json[];
  assertEquals(rules.length, 3);
  assertEquals(rules[2].port, [10085, 2095]);
  assert(!rules.some((r) => r.ip_is_private), "private networks are reachable");
});

Deno.test("generateSingBoxConfig() for singdeck-core lists no stats names and reuses ports", () => {
  const { config } = generateSingBoxConfig({
    inbounds: one("core-in", "vless"),
    apiListen: API,
    core: "singdeck-core",
    now: NOW,
  });
  assertEquals(((config.experimental as Json).v2ray_api as Json).stats, { enabled: true });
  assertEquals(inboundsOf(config)[0].reuse_addr, true);
});

Deno.test("generateSingBoxConfig() refuses vision flow without TLS or Reality", () => {
  assertThrows(
    () =>
      generateSingBoxConfig({
        inbounds: one("v", "vless", { flow: "xtls-rprx-vision" }),
        apiListen: API,
        now: NOW,
      }),
    Error,
    "xtls-rprx-vision",
  );
});

Deno.test("maskSecrets() hides every secret and leaves the config unchanged", async () => {
  await withTempDir(async (dir) => {
    const input = await everything(dir);
    const { config } = generateSingBoxConfig({ inbounds: input, apiListen: API, now: NOW });
    const original = JSON.stringify(config);
    const masked = maskSecrets(config);
    const text = JSON.stringify(masked);
    assertEquals(JSON.stringify(config), original);
    const secrets = new Set<string>();
    for (const { inbound, users } of input) {
      const s = inbound.settings;
      if (s.serverKey) secrets.add(s.serverKey);
      if (s.reality) {
        secrets.add(s.reality.privateKey);
        s.reality.shortIds.forEach((id) => secrets.add(id));
      }
      for (const user of users) {
        secrets.add(user.uuid);
        secrets.add(user.password);
        if (s.method) secrets.add(shadowsocksUserKey(user.password, s.method));
      }
    }
    for (const secret of secrets) assert(!text.includes(secret), `Secret ${secret} is visible`);
    assert(original.includes([...secrets][0]));
    assertStringIncludes(text, SECRET_MASK);
    assertStringIncludes(text, "alice|vless-plain");
    assertStringIncludes(text, "certificate_path");
    const reality = (inboundsOf(masked).find((i) => i.tag === "vless-reality")!.tls as Json)
      .reality as Json;
    assertEquals(reality.short_id, [SECRET_MASK]);
  });
});
