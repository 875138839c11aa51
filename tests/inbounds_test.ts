/**
 * Inbounds pages through the in-process app with a real temporary libSQL database: the
 * form for every type, toggle and delete, the sorted self-refreshing table and its htmx
 * fragment, bad form input (nothing changes, everything escaped), auth and CSRF.
 */
import {
  assert,
  assertEquals,
  assertExists,
  assertMatch,
  assertNotMatch,
  assertStringIncludes,
} from "@std/assert";
import { createTestPanel, snapshotDatabase, type TestPanel, withPanel } from "./support/app.ts";
import { insertUserRows } from "./support/rows.ts";
import { certificateFiles, tlsFiles } from "./support/tls.ts";
import { SHADOWSOCKS_METHODS, type ShadowsocksMethod } from "../core/model.ts";
import { isHostname, normalizeIpAddress } from "../core/addresses.ts";
import { parseInboundSort } from "../core/inbounds/inbound_input.ts";
import { ValidationError } from "../core/errors.ts";
import { findInboundByTag } from "../db/inbounds.ts";
import { formatBytes, formatExactBytes } from "../core/format.ts";
import { realHost } from "../core/port_probe.ts";

/** Asserts status, then an HTML content type; returns the body. */
async function html(res: Response, status: number): Promise<string> {
  const body = await res.text();
  assertEquals(res.status, status, body.slice(0, 3000));
  assertMatch(res.headers.get("content-type") ?? "", /^text\/html/);
  return body;
}

/** The text of the page's error summary. */
/** The error summary above the form, as (escaped) text: its title and a line per field. */
function flashError(page: string): string {
  const match = /<div class="flash error error-summary" role="alert">(.*?)<\/div>/.exec(page);
  assertExists(match, "no error summary on the page");
  return match[1].replace(/<\/(p|li)>/g, "\n").replace(/<[^>]+>/g, "").trim();
}

/** An element's attributes, unescaped. */
function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/\s([a-z_-]+)(?:="([^"]*)")?/g)) {
    out[m[1]] = (m[2] ?? "").replaceAll("&quot;", '"').replaceAll("&amp;", "&");
  }
  return out;
}

/** The named inputs (with their attributes) and selects (with the chosen value) of a page. */
function formFields(page: string) {
  const inputs = [...page.matchAll(/<input\b[^>]*>/g)].map((m) => attributes(m[0]));
  const selects = Object.fromEntries(
    [...page.matchAll(/<select\b([^>]*)>(.*?)<\/select>/g)].map((m) => [
      attributes(m[1]).name,
      /<option value="([^"]*)"\s*selected/.exec(m[2])?.[1] ??
        /<option value="([^"]*)"/.exec(m[2])![1],
    ]),
  );
  return { inputs, selects };
}

/** Data rows of the inbounds table, in order. */
function rowTags(page: string): string[] {
  return [...page.matchAll(/<tr data-tag="([^"]+)"/g)].map((m) => m[1]);
}

/** The fields a form for each type sends. */
const BASE_FORM = { listen: "", enabled: "on" };

// ---------------------------------------------------------------------------------------
// Pure helpers

Deno.test("normalizeIpAddress() accepts IPv4/IPv6 literals and rejects everything else", () => {
  const good: Array<[string, string]> = [
    ["0.0.0.0", "0.0.0.0"],
    ["127.0.0.1", "127.0.0.1"],
    ["255.255.255.255", "255.255.255.255"],
    ["::", "::"],
    ["::1", "::1"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8::", "2001:db8::"],
    ["fe80::0001", "fe80::1"],
    ["::ffff:1.2.3.4", "::ffff:102:304"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"],
  ];
  for (const [input, expected] of good) assertEquals(normalizeIpAddress(input), expected, input);
  const bad = [
    "",
    "localhost",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "256.1.1.1",
    "1.2.3.4 ",
    ":::",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "12345::",
    "fe80::1%eth0",
    "[::1]",
    "::1.2.3.256",
    "<script>",
  ];
  for (const input of bad) assertEquals(normalizeIpAddress(input), null, input);
});

Deno.test("isHostname() accepts DNS names only", () => {
  for (const name of ["localhost", "a.example.com", "xn--bcher-kva.de", "a-b.c0"]) {
    assert(isHostname(name), name);
  }
  for (const name of ["", "-a.com", "a-.com", "a..b", "1.2.3.4", "a_b.com", "a b", "é.com"]) {
    assert(!isHostname(name), name);
  }
  assert(!isHostname(`${"a".repeat(64)}.com`));
  assert(!isHostname(`${"abc.".repeat(63)}com`));
});

Deno.test("parseInboundSort() defaults to tag and rejects unknown sorts", () => {
  assertEquals(parseInboundSort(undefined), "tag");
  assertEquals(parseInboundSort("traffic_desc"), "traffic_desc");
  try {
    parseInboundSort("users_desc");
    throw new Error("unreachable");
  } catch (e) {
    assert(e instanceof ValidationError);
    assertExists(e.fields.sort);
  }
});

// ---------------------------------------------------------------------------------------
// The form for every type

interface FormCase {
  name: string;
  form: Record<string, string> | ((p: TestPanel) => Promise<Record<string, string>>);
  check: (inbound: NonNullable<Awaited<ReturnType<typeof findInboundByTag>>>, p: TestPanel) => void;
  /** Text the edit page must show. */
  shows?: (inbound: NonNullable<Awaited<ReturnType<typeof findInboundByTag>>>) => string[];
  selfSigned?: boolean;
}

const formCases: FormCase[] = [
  {
    name: "vless plain",
    form: { tag: "vless-plain", type: "vless", port: "21001", security: "none", flow: "" },
    check: (i) => assertEquals(i.settings, { flow: "" }),
  },
  {
    name: "vless with self-signed TLS and vision",
    form: {
      tag: "vless-tls",
      type: "vless",
      port: "21002",
      security: "tls",
      flow: "xtls-rprx-vision",
      tls_mode: "self_signed",
      tls_server_name: "vless.example.com",
      // Reality fields present in the form but unused with security=tls.
      reality_handshake_server: "",
    },
    check: (i, p) => {
      assertEquals(i.settings.flow, "xtls-rprx-vision");
      assertEquals(i.settings.tls, {
        serverName: "vless.example.com",
        certificatePath: `${p.dataDir}/tls/vless-tls.crt`,
        keyPath: `${p.dataDir}/tls/vless-tls.key`,
        selfSigned: true,
      });
    },
    shows: (i) => [i.settings.tls!.certificatePath],
    selfSigned: true,
  },
  {
    name: "vless with Reality",
    form: {
      tag: "vless-reality",
      type: "vless",
      port: "21003",
      security: "reality",
      flow: "xtls-rprx-vision",
      tls_mode: "self_signed",
      reality_handshake_server: "www.example.com",
      reality_handshake_port: "",
      reality_server_name: "",
      reality_short_ids: "0a1b\n2c3d4e5f, 99",
    },
    check: (i) => {
      const r = i.settings.reality!;
      assertEquals(r.handshakeServer, "www.example.com");
      assertEquals(r.handshakePort, 443);
      assertEquals(r.serverName, "www.example.com");
      assertEquals(r.shortIds, ["0a1b", "2c3d4e5f", "99"]);
      assertEquals(i.settings.tls, undefined);
    },
    shows: (i) => [i.settings.reality!.publicKey, "2c3d4e5f"],
  },
  {
    name: "vmess",
    form: { tag: "vmess", type: "vmess", port: "21004", tls_mode: "none", listen: "127.0.0.1" },
    check: (i) => {
      assertEquals(i.listen, "127.0.0.1");
      assertEquals(i.settings, {});
    },
  },
  {
    name: "vmess with self-signed TLS",
    form: { tag: "vmess-tls", type: "vmess", port: "21005", tls_mode: "self_signed" },
    check: (i) => assertEquals(i.settings.tls?.serverName, "localhost"),
    selfSigned: true,
  },
  {
    name: "trojan with certificate files",
    form: async (p) => {
      const files = await certificateFiles(`${p.dataDir}/certs`, {
        certificateFile: "cert.pem",
        keyFile: "key.pem",
      });
      return {
        tag: "trojan",
        type: "trojan",
        port: "21006",
        tls_mode: "files",
        tls_server_name: "proxy.example.com",
        tls_certificate_path: files.certificatePath,
        tls_key_path: files.keyPath,
      };
    },
    check: (i, p) => {
      assertEquals(i.settings.tls, {
        serverName: "proxy.example.com",
        certificatePath: `${p.dataDir}/certs/cert.pem`,
        keyPath: `${p.dataDir}/certs/key.pem`,
        selfSigned: false,
      });
    },
    shows: (i) => [i.settings.tls!.certificatePath],
  },
  ...(Object.keys(SHADOWSOCKS_METHODS) as ShadowsocksMethod[]).map((method, n): FormCase => ({
    name: `shadowsocks ${method}`,
    form: { tag: `ss-${n}`, type: "shadowsocks", port: String(21010 + n), method },
    check: (i) => {
      assertEquals(i.settings.method, method);
      assertEquals(atob(i.settings.serverKey!).length, SHADOWSOCKS_METHODS[method]);
    },
  })),
  {
    name: "hysteria2",
    form: {
      tag: "hy2",
      type: "hysteria2",
      port: "21020",
      tls_mode: "self_signed",
      tls_server_name: "hy2.example.com",
    },
    check: (i) => assertEquals(i.settings.tls?.serverName, "hy2.example.com"),
    selfSigned: true,
  },
  {
    name: "tuic",
    form: { tag: "tuic", type: "tuic", port: "21021", tls_mode: "self_signed" },
    check: (i) => assertEquals(i.settings.tls?.selfSigned, true),
    selfSigned: true,
  },
  {
    name: "mixed",
    form: { tag: "mixed", type: "mixed", port: "21022" },
    check: (i) => assertEquals(i.settings, {}),
  },
];

for (const c of formCases) {
  Deno.test(`POST /inbounds form creates, edits and deletes ${c.name}`, () =>
    withPanel(async (p, applied) => {
      const fields: Record<string, string> = {
        ...BASE_FORM,
        ...(typeof c.form === "function" ? await c.form(p) : c.form),
      };
      const tag = fields.tag;
      let res = await p.postForm("/inbounds", fields);
      assertEquals(res.status, 303, await res.text());
      assertEquals(res.headers.get("location"), `/inbounds/${tag}/edit?saved=created`);
      const inbound = (await findInboundByTag(p.db, tag))!;
      assertEquals(inbound.type, fields.type);
      assertEquals(inbound.port, Number(fields.port));
      assertEquals(inbound.enabled, true);
      c.check(inbound, p);
      assertEquals(await tlsFiles(p), c.selfSigned ? [`${tag}.crt`, `${tag}.key`] : []);

      const page = await html(await p.request(`/inbounds/${tag}/edit?saved=created`), 200);
      assertStringIncludes(page, "Inbound created");
      assertStringIncludes(page, `value="${tag}"`);
      for (const text of c.shows?.(inbound) ?? []) assertStringIncludes(page, text);
      if (inbound.settings.reality) {
        assertEquals(page.includes(inbound.settings.reality.privateKey), false);
      }

      // Save the edit form as rendered, with a new port and disabled.
      const form = formFields(page);
      const values = Object.fromEntries(
        form.inputs.filter((a) => a.type !== "checkbox" && a.name !== undefined)
          .map((a) => [a.name, a.value ?? ""]),
      );
      const selects = form.selects;
      const shortIds = /<textarea [^>]*name="reality_short_ids"[^>]*>([^<]*)</.exec(page)?.[1];
      const edited: Record<string, string> = {
        ...values,
        ...selects,
        ...(shortIds !== undefined ? { reality_short_ids: shortIds } : {}),
        port: String(Number(fields.port) + 100),
      };
      delete edited._csrf;
      delete edited.enabled; // unchecked checkbox
      res = await p.postForm(`/inbounds/${tag}`, edited);
      assertEquals(res.status, 303, await res.text());
      assertEquals(res.headers.get("location"), `/inbounds/${tag}/edit?saved=1`);
      const after = (await findInboundByTag(p.db, tag))!;
      assertEquals(after.port, Number(fields.port) + 100);
      assertEquals(after.enabled, false);
      assertEquals(after.settings, inbound.settings, "settings survive a round trip of the form");

      res = await p.postForm(`/inbounds/${tag}/delete`, {});
      assertEquals(res.status, 303);
      assertEquals(res.headers.get("location"), `/inbounds?deleted=${tag}`);
      assertEquals(await findInboundByTag(p.db, tag), undefined);
      assertEquals(await tlsFiles(p), []);
      const list = await html(await p.request(`/inbounds?deleted=${tag}`), 200);
      assertStringIncludes(list, `Inbound &quot;${tag}&quot; deleted`);
      assertEquals(applied, [
        `inbound "${tag}" created`,
        `inbound "${tag}" updated`,
        `inbound "${tag}" deleted`,
      ]);
    }));
}

Deno.test("POST /inbounds from htmx answers 204 with HX-Redirect", () =>
  withPanel(async (p) => {
    const res = await p.postForm("/inbounds", { tag: "m", type: "mixed", port: "11080" }, {
      "HX-Request": "true",
    });
    assertEquals(res.status, 204);
    assertEquals(res.headers.get("hx-redirect"), "/inbounds/m/edit?saved=created");
  }));

Deno.test("POST /inbounds/:tag with the Reality regenerate box makes a new key pair", () =>
  withPanel(async (p) => {
    const fields = {
      tag: "r",
      type: "vless",
      port: "10443",
      security: "reality",
      reality_handshake_server: "www.example.com",
      reality_short_ids: "abcd",
    };
    assertEquals((await p.postForm("/inbounds", fields)).status, 303);
    const before = (await findInboundByTag(p.db, "r"))!.settings.reality!;
    assertEquals((await p.postForm("/inbounds/r", fields)).status, 303);
    assertEquals((await findInboundByTag(p.db, "r"))!.settings.reality, before);
    const res = await p.postForm("/inbounds/r", { ...fields, reality_regenerate_keys: "on" });
    assertEquals(res.status, 303);
    const after = (await findInboundByTag(p.db, "r"))!.settings.reality!;
    assert(after.publicKey !== before.publicKey && after.privateKey !== before.privateKey);
    assertEquals(after.shortIds, ["abcd"]);
  }));

Deno.test("POST /inbounds/:tag renames an inbound and moves its self-signed files", () =>
  withPanel(async (p) => {
    const fields = { tag: "old", type: "trojan", port: "10443", tls_mode: "self_signed" };
    assertEquals((await p.postForm("/inbounds", fields)).status, 303);
    const res = await p.postForm("/inbounds/old", { ...fields, tag: "new" });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/inbounds/new/edit?saved=1");
    assertEquals(await tlsFiles(p), ["new.crt", "new.key"]);
    assertEquals(
      (await findInboundByTag(p.db, "new"))!.settings.tls!.keyPath,
      `${p.dataDir}/tls/new.key`,
    );
  }));

Deno.test("GET /inbounds/new and /inbounds/form-fields render the fields of each type", () =>
  withPanel(async (p) => {
    const expected: Record<string, string[]> = {
      vless: ["security", "flow", "tls_mode", "reality_handshake_server", "reality_short_ids"],
      vmess: ["tls_mode", "tls_certificate_path"],
      trojan: ["tls_mode", "tls_server_name"],
      shadowsocks: ["method"],
      hysteria2: ["tls_mode"],
      tuic: ["tls_mode"],
      mixed: [],
    };
    for (const [type, names] of Object.entries(expected)) {
      const page = await html(await p.request(`/inbounds/new?type=${type}`), 200);
      assertStringIncludes(page, `<option value="${type}" selected>`);
      const fragment = await html(
        await p.request(`/inbounds/form-fields?type=${type}`, {
          headers: { "HX-Request": "true" },
        }),
        200,
      );
      assert(fragment.startsWith(`<div id="type-fields">`), fragment);
      for (const name of names) {
        assertStringIncludes(page, `name="${name}"`);
        assertStringIncludes(fragment, `name="${name}"`);
      }
      if (type !== "vless") assertEquals(fragment.includes(`name="security"`), false);
    }
    const ss = await html(await p.request("/inbounds/form-fields?type=shadowsocks"), 200);
    assertEquals(ss.includes(`<option value="2022-blake3-chacha20-poly1305"`), false);
  }));

// ---------------------------------------------------------------------------------------
// Toggle and delete from the table

Deno.test("POST /inbounds/:tag/toggle disables and enables an inbound", () =>
  withPanel(async (p, applied) => {
    await p.postForm("/inbounds", { tag: "m", type: "mixed", port: "11080", enabled: "on" });
    let res = await p.postForm("/inbounds/m/toggle?sort=traffic_desc", {});
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/inbounds?sort=traffic_desc");
    assertEquals((await findInboundByTag(p.db, "m"))!.enabled, false);

    res = await p.postForm("/inbounds/m/toggle?sort=traffic_desc", {}, { "HX-Request": "true" });
    const fragment = await html(res, 200);
    assert(fragment.startsWith(`<div id="inbounds-table-container"`), fragment);
    assertStringIncludes(fragment, `hx-get="/inbounds?sort=traffic_desc"`);
    assertStringIncludes(fragment, `<span class="badge active">Enabled</span>`);
    assertEquals((await findInboundByTag(p.db, "m"))!.enabled, true);
    assertEquals(applied.slice(1), ['inbound "m" disabled', 'inbound "m" enabled']);
  }));

Deno.test("POST /inbounds/:tag/delete from the table answers the table fragment", () =>
  withPanel(async (p) => {
    await p.postForm("/inbounds", { tag: "a", type: "mixed", port: "11080" });
    await p.postForm("/inbounds", { tag: "b", type: "mixed", port: "11081" });
    const res = await p.postForm("/inbounds/a/delete?sort=tag", {}, {
      "HX-Request": "true",
      "HX-Target": "inbounds-table-container",
    });
    const fragment = await html(res, 200);
    assertEquals(rowTags(fragment), ["b"]);
  }));

Deno.test("POST /inbounds/:tag/delete from the edit page redirects htmx to the list", () =>
  withPanel(async (p) => {
    await p.postForm("/inbounds", { tag: "a", type: "mixed", port: "11080" });
    const res = await p.postForm("/inbounds/a/delete", {}, { "HX-Request": "true" });
    assertEquals(res.status, 204);
    assertEquals(res.headers.get("hx-redirect"), "/inbounds?deleted=a");
  }));

for (const action of ["toggle", "delete"]) {
  Deno.test(`POST /inbounds/:tag/${action} answers 404 for an unknown tag`, () =>
    withPanel(async (p) => {
      const page = await html(await p.postForm(`/inbounds/nope/${action}`, {}), 404);
      assertStringIncludes(page, "Inbound &quot;nope&quot; does not exist");
    }));
}

Deno.test("GET /inbounds/:tag/edit answers 404 for an unknown tag", () =>
  withPanel(async (p) => {
    await html(await p.request("/inbounds/nope/edit"), 404);
  }));

// ---------------------------------------------------------------------------------------
// The table: sorting, fragment, refresh

async function trafficFixture(p: TestPanel) {
  const traffic: Record<string, [number, number]> = {
    a: [1536, 1024 ** 3], // 1.50 KB up, 1.00 GB down
    b: [50, 0],
    c: [0, 1024 ** 3 + 1536], // ties with a
    d: [0, 0],
  };
  let port = 31000;
  for (const tag of ["c", "a", "d", "b"]) {
    const res = await p.postForm("/inbounds", { tag, type: "mixed", port: String(port++) });
    assertEquals(res.status, 303, `creating inbound ${tag}: ${await res.text()}`);
    const [uplink, downlink] = traffic[tag];
    await p.db.updateTable("inbounds").set({ uplink, downlink }).where("tag", "=", tag).execute();
  }
}

Deno.test("GET /inbounds shows traffic with formatBytes, right-aligned", () =>
  withPanel(async (p) => {
    await trafficFixture(p);
    const page = await html(await p.request("/inbounds"), 200);
    const row = /<tr data-tag="a"[^>]*>.*?<\/tr>/.exec(page)![0];
    // One format everywhere, the exact bytes on hover, left to right in any page.
    const cell = (bytes: number) =>
      `<td class="num"><bdi dir="ltr" title="${formatExactBytes(bytes)}">${
        formatBytes(bytes)
      }</bdi></td>`;
    assertStringIncludes(row, cell(1536));
    assertStringIncludes(row, cell(1024 ** 3));
    assertStringIncludes(row, cell(1024 ** 3 + 1536));
    assertStringIncludes(
      row,
      `<td class="num"><bdi dir="ltr" title="1,073,743,360 bytes">1.00 GB</bdi>`,
    );
    assertStringIncludes(row, `<a href="/inbounds/a/edit" class="truncate" title="a">a</a>`);
    assertStringIncludes(row, "[::]:31001");
  }));

for (
  const [sort, order, next] of [
    ["tag", ["a", "b", "c", "d"], "traffic_desc"],
    ["traffic_desc", ["c", "a", "b", "d"], "traffic_asc"],
    ["traffic_asc", ["d", "b", "a", "c"], "traffic_desc"],
  ] as const
) {
  Deno.test(`GET /inbounds?sort=${sort} orders rows and links the next traffic sort`, () =>
    withPanel(async (p) => {
      await trafficFixture(p);
      const page = await html(await p.request(`/inbounds?sort=${sort}`), 200);
      assertEquals(rowTags(page), [...order]);
      assertStringIncludes(page, `<table id="inbounds-table" data-sort="${sort}">`);
      // Every traffic header sends the next traffic sort, into the URL, onto the table.
      const headers = [...page.matchAll(/<th class="num"[^>]*><a ([^>]*)>(\w+)/g)];
      assertEquals(headers.map((m) => m[2]), ["Uplink", "Downlink", "Total"]);
      for (const [, attrs] of headers) {
        assertStringIncludes(attrs, `hx-get="/inbounds?sort=${next}"`);
        assertStringIncludes(attrs, `href="/inbounds?sort=${next}"`);
        assertStringIncludes(attrs, `hx-target="#inbounds-table-container"`);
        assertStringIncludes(attrs, `hx-push-url="true"`);
      }
      const arrow = /<a [^>]*>(\w+)<span class="arrow"> ([▲▼])<\/span>/.exec(page)!;
      assertEquals(
        [arrow[1], arrow[2]],
        sort === "tag" ? ["Tag", "▲"] : ["Total", sort === "traffic_desc" ? "▼" : "▲"],
      );
      // The container refreshes itself with the same sort (static/app.js triggers
      // "refresh" every 5 s while the tab is visible) and is morphed, not replaced.
      assertStringIncludes(
        page,
        `<div id="inbounds-table-container" class="table-wrap" hx-get="/inbounds?sort=${sort}" ` +
          `hx-trigger="refresh" data-refresh="5" hx-swap="morph"`,
      );
    }));
}

Deno.test("GET /inbounds with HX-Request answers only the table fragment", () =>
  withPanel(async (p) => {
    await trafficFixture(p);
    const res = await p.request("/inbounds?sort=traffic_asc", {
      headers: { "HX-Request": "true" },
    });
    const fragment = await html(res, 200);
    assert(fragment.startsWith(`<div id="inbounds-table-container"`), fragment);
    assertEquals(fragment.includes("<html"), false);
    assertEquals(fragment.includes("<h1>"), false);
    assertEquals(rowTags(fragment), ["d", "b", "a", "c"]);
    // The page's words follow the browser's Accept-Language.
    assertEquals(res.headers.get("vary"), "HX-Request, Accept-Language");
  }));

for (const header of ["HX-Boosted", "HX-History-Restore-Request"]) {
  Deno.test(`GET /inbounds with ${header} answers the full page`, () =>
    withPanel(async (p) => {
      const res = await p.request("/inbounds", {
        headers: { "HX-Request": "true", [header]: "true" },
      });
      const page = await html(res, 200);
      assertStringIncludes(page, "<html");
      assertStringIncludes(page, `id="inbounds-table"`);
    }));
}

Deno.test("GET /inbounds uses the configured refresh interval", async () => {
  const p = await createTestPanel({ env: { SINGDECK_TABLE_REFRESH: "12" } });
  try {
    const page = await html(await p.request("/inbounds"), 200);
    assertStringIncludes(page, `hx-trigger="refresh" data-refresh="12"`);
  } finally {
    await p.close();
  }
});

Deno.test("GET /inbounds shows each inbound's user count", () =>
  withPanel(async (p) => {
    await p.postForm("/inbounds", { tag: "a", type: "mixed", port: "11080" });
    const inbound = (await findInboundByTag(p.db, "a"))!;
    const userIds = await insertUserRows(p.db, [{ name: "u1" }, { name: "u2" }, { name: "u3" }]);
    await p.db.insertInto("user_inbounds")
      .values(userIds.map((id) => ({ user_id: id, inbound_id: inbound.id }))).execute();
    const page = await html(await p.request("/inbounds"), 200);
    assertMatch(page, /<tr data-tag="a"[^>]*>.*?<td class="num">3<\/td>/);
  }));

Deno.test("GET /inbounds rejects an unknown sort", () =>
  withPanel(async (p) => {
    const page = await html(await p.request("/inbounds?sort=bogus"), 422);
    assertStringIncludes(page, "Sort &quot;bogus&quot; is not supported");
  }));

// ---------------------------------------------------------------------------------------
// Bad form input

interface BadFormCase {
  name: string;
  path?: string;
  fields: Record<string, string>;
  status: 409 | 422;
  message: string;
}

const SCRIPT = "<script>alert(1)</script>";
// Ports here differ from tests/inbounds_api_test.ts: saving an inbound probes its port,
// and the two files run in parallel.
const vless = { type: "vless", port: "10443", security: "none", flow: "", listen: "" };

const badForms: BadFormCase[] = [
  {
    name: "a duplicate tag",
    fields: { tag: "existing", type: "mixed", port: "9000" },
    status: 409,
    message: "Tag &quot;existing&quot; is already used by another inbound",
  },
  {
    name: "a port used by another inbound",
    fields: { tag: "x", type: "trojan", port: "18443", tls_mode: "self_signed" },
    status: 409,
    message: "Port 18443 is already used by inbound &quot;existing&quot;",
  },
  {
    name: "a specific address on a wildcard inbound's port",
    fields: { tag: "x", type: "mixed", port: "18443", listen: "::1" },
    status: 409,
    message: "Port 18443 is already used by inbound &quot;existing&quot;",
  },
  {
    name: "a wildcard address on a specific inbound's port",
    fields: { tag: "x", type: "mixed", port: "17000", listen: "::" },
    status: 409,
    message: "Port 17000 is already used by inbound &quot;local&quot;",
  },
  {
    name: "the panel's own port",
    fields: { ...vless, tag: "x", port: "2095" },
    status: 409,
    message: "Port 2095 is used by the panel itself",
  },
  { name: "port 0", fields: { ...vless, tag: "x", port: "0" }, status: 422, message: "Port must" },
  {
    name: "port 70000",
    fields: { ...vless, tag: "x", port: "70000" },
    status: 422,
    message: "Port must",
  },
  {
    name: `port "abc"`,
    fields: { ...vless, tag: "x", port: "abc" },
    status: 422,
    message: "Port must",
  },
  {
    name: "an empty port",
    fields: { ...vless, tag: "x", port: "" },
    status: 422,
    message: "Port is required",
  },
  {
    name: "a bad tag charset",
    fields: { ...vless, tag: "a b" },
    status: 422,
    message: "Tag may contain only",
  },
  {
    name: `">>>" in a tag`,
    fields: { ...vless, tag: "a>>>b" },
    status: 422,
    message: "Tag cannot contain",
  },
  {
    name: `"|" in a tag`,
    fields: { ...vless, tag: "a|b" },
    status: 422,
    message: "Tag cannot contain",
  },
  {
    name: "a tag too long",
    fields: { ...vless, tag: "t".repeat(49) },
    status: 422,
    message: "Tag must be at most 48 characters",
  },
  {
    name: "an unknown type",
    fields: { tag: "x", type: "wireguard", port: "10443" },
    status: 422,
    message: "Type &quot;wireguard&quot; is not supported",
  },
  {
    name: "a missing certificate file",
    fields: {
      tag: "x",
      type: "trojan",
      port: "10443",
      tls_mode: "files",
      tls_server_name: "a.com",
      tls_certificate_path: "/x.pem",
      tls_key_path: "/x.key",
    },
    status: 422,
    message: "Certificate file &quot;/x.pem&quot; does not exist",
  },
  {
    name: "flow vision without TLS",
    fields: { ...vless, tag: "x", flow: "xtls-rprx-vision" },
    status: 422,
    message: "Flow xtls-rprx-vision needs TLS or Reality",
  },
  {
    name: "a bad short id",
    fields: {
      ...vless,
      tag: "x",
      security: "reality",
      reality_handshake_server: "www.example.com",
      reality_short_ids: "abc",
    },
    status: 422,
    message: "Short id &quot;abc&quot; must be hex digits of even length",
  },
  {
    name: "Reality without a handshake server",
    fields: { ...vless, tag: "x", security: "reality" },
    status: 422,
    message: "Handshake server is required",
  },
  {
    name: "an unknown security",
    fields: { ...vless, tag: "x", security: "xtls" },
    status: 422,
    message: "Security &quot;xtls&quot; is not one of",
  },
  {
    name: "the chacha20 Shadowsocks method",
    fields: {
      tag: "x",
      type: "shadowsocks",
      port: "10443",
      method: "2022-blake3-chacha20-poly1305",
    },
    status: 422,
    message: "cannot serve several users",
  },
  {
    name: "an oversize server name",
    fields: {
      tag: "x",
      type: "tuic",
      port: "10443",
      tls_mode: "self_signed",
      tls_server_name: "a".repeat(300),
    },
    status: 422,
    message: "TLS server name must be at most 253 characters",
  },
  {
    name: "an oversize certificate path",
    fields: {
      tag: "x",
      type: "tuic",
      port: "10443",
      tls_mode: "files",
      tls_server_name: "a.com",
      tls_certificate_path: "/" + "p".repeat(5000),
      tls_key_path: "/k",
    },
    status: 422,
    message: "Certificate file path must be at most 1024 characters",
  },
  {
    name: "a type change on edit",
    path: "/inbounds/existing",
    fields: { tag: "existing", type: "vmess", port: "18443", tls_mode: "none" },
    status: 422,
    message: "Type cannot be changed from trojan",
  },
  {
    name: "a port move onto another inbound on edit",
    path: "/inbounds/local",
    fields: { tag: "local", type: "vmess", port: "18443", listen: "127.0.0.1", tls_mode: "none" },
    status: 409,
    message: "Port 18443 is already used by inbound &quot;existing&quot;",
  },
  // HTML in every text field: rejected, and escaped where it is echoed back.
  ...[
    ["tag", "Tag cannot contain"],
    ["listen", "is not an IPv4 or IPv6 address"],
    ["port", "Port must"],
    ["flow", "is not one of"],
  ].map(([field, message]): BadFormCase => ({
    name: `a script in ${field}`,
    fields: { ...vless, tag: "x", [field]: SCRIPT },
    status: 422,
    message,
  })),
  ...[
    ["tls_server_name", "is not a host name or IP address"],
    ["tls_certificate_path", "must be absolute"],
    ["tls_key_path", "must be absolute"],
  ].map(([field, message]): BadFormCase => ({
    name: `a script in ${field}`,
    fields: {
      tag: "x",
      type: "trojan",
      port: "10443",
      tls_mode: "files",
      tls_server_name: "a.com",
      tls_certificate_path: "/c",
      tls_key_path: "/k",
      [field]: SCRIPT,
    },
    status: 422,
    message,
  })),
  ...[
    ["reality_handshake_server", "is not a host name or IP address"],
    ["reality_server_name", "is not a host name"],
    ["reality_short_ids", "must be hex digits"],
    ["reality_handshake_port", "Handshake port must"],
  ].map(([field, message]): BadFormCase => ({
    name: `a script in ${field}`,
    fields: {
      ...vless,
      tag: "x",
      security: "reality",
      reality_handshake_server: "www.example.com",
      [field]: SCRIPT,
    },
    status: 422,
    message,
  })),
  {
    name: "a script in method",
    fields: { tag: "x", type: "shadowsocks", port: "10443", method: SCRIPT },
    status: 422,
    message: "is not one of 2022-blake3-aes-128-gcm, 2022-blake3-aes-256-gcm",
  },
  {
    name: "a script in type",
    fields: { tag: "x", type: SCRIPT, port: "10443" },
    status: 422,
    message: "is not supported",
  },
];

for (const c of badForms) {
  const path = c.path ?? "/inbounds";
  Deno.test(`POST ${path} form rejects ${c.name}`, () =>
    withPanel(async (p, applied) => {
      const files = await certificateFiles(`${p.dataDir}/certs`);
      await p.postForm("/inbounds", {
        tag: "existing",
        type: "trojan",
        port: "18443",
        tls_mode: "files",
        tls_server_name: "a.com",
        tls_certificate_path: files.certificatePath,
        tls_key_path: files.keyPath,
      });
      await p.postForm("/inbounds", {
        tag: "local",
        type: "vmess",
        port: "17000",
        listen: "127.0.0.1",
        tls_mode: "none",
      });
      assertEquals(applied.length, 2);
      const before = await snapshotDatabase(p.db);

      // A browser post: the whole page, with the message and the values as entered.
      const page = await html(await p.postForm(path, c.fields), c.status);
      assertStringIncludes(page, "<html");
      assertStringIncludes(flashError(page), c.message);
      assertMatch(page, /<p class="field-error">/);
      assertNotMatch(page, /<script>alert/);

      // An htmx post: only the form, to swap in place.
      const fragment = await html(
        await p.postForm(path, c.fields, { "HX-Request": "true" }),
        c.status,
      );
      assert(fragment.startsWith(`<form id="inbound-form"`), fragment.slice(0, 200));
      assertStringIncludes(flashError(fragment), c.message);
      assertNotMatch(fragment, /<script>alert/);

      assertEquals(await snapshotDatabase(p.db), before);
      assertEquals(await tlsFiles(p), []);
      assertEquals(applied.length, 2);
    }));
}

Deno.test("POST /inbounds form rejects a port another program holds", () =>
  withPanel(async (p) => {
    const squatter = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const port = (squatter.addr as Deno.NetAddr).port;
      const before = await snapshotDatabase(p.db);
      const fields = { tag: "m", type: "mixed", listen: "127.0.0.1", port: String(port) };
      const page = await html(await p.postForm("/inbounds", fields), 409);
      assertEquals(
        flashError(page),
        `The inbound was not saved:\nPort: Port ${port} (tcp) on 127.0.0.1 is in use by another program`,
      );
      assertEquals(await snapshotDatabase(p.db), before);
    } finally {
      squatter.close();
    }
  }, { host: realHost }));

Deno.test("POST /inbounds form keeps the entered values on a 422, escaped", () =>
  withPanel(async (p) => {
    const page = await html(
      await p.postForm("/inbounds", { ...vless, tag: "ok-tag", listen: SCRIPT, port: "99999" }),
      422,
    );
    assertStringIncludes(page, `value="ok-tag"`);
    assertStringIncludes(page, `value="&lt;script&gt;alert(1)&lt;/script&gt;"`);
    assertStringIncludes(page, `value="99999"`);
    assertNotMatch(page, /<script>alert/);
  }));

Deno.test("GET /inbounds/:tag/edit escapes an accepted certificate path with HTML in it", () =>
  withPanel(async (p) => {
    // "<script>alert(1)</script>" is a legal path: a directory "<script>alert(1)<" and a file.
    const dir = `${p.dataDir}/certs/<script>alert(1)<`;
    const files = await certificateFiles(dir);
    const certificatePath = `${dir}/script>.pem`;
    await Deno.rename(files.certificatePath, certificatePath);
    const res = await p.postForm("/inbounds", {
      tag: "odd",
      type: "trojan",
      port: "10443",
      tls_mode: "files",
      tls_server_name: "a.com",
      tls_certificate_path: certificatePath,
      tls_key_path: files.keyPath,
    });
    assertEquals(res.status, 303, await res.text());
    const page = await html(await p.request("/inbounds/odd/edit"), 200);
    assertStringIncludes(page, "&lt;script&gt;alert(1)&lt;/script&gt;.pem");
    assertNotMatch(page, /<script>alert/);
    const list = await html(await p.request("/inbounds"), 200);
    assertNotMatch(list, /<script>alert/);
  }));

// ---------------------------------------------------------------------------------------
// Authentication and CSRF

const pageRoutes: Array<[string, string]> = [
  ["GET", "/inbounds"],
  ["GET", "/inbounds?sort=traffic_desc"],
  ["GET", "/inbounds/new"],
  ["GET", "/inbounds/form-fields?type=vless"],
  ["GET", "/inbounds/existing/edit"],
  ["POST", "/inbounds"],
  ["POST", "/inbounds/existing"],
  ["POST", "/inbounds/existing/toggle"],
  ["POST", "/inbounds/existing/delete"],
];

for (const [method, path] of pageRoutes) {
  Deno.test(`${method} ${path} without a session redirects to /login`, () =>
    withPanel(async (p) => {
      await p.postForm("/inbounds", { tag: "existing", type: "mixed", port: "11080" });
      const before = await snapshotDatabase(p.db);
      const body = method === "POST"
        ? new URLSearchParams({ tag: "n", type: "mixed", port: "11081", _csrf: p.csrfToken })
        : undefined;
      const headers = { "Content-Type": "application/x-www-form-urlencoded" };
      let res = await p.app.request(path, { method, body, headers });
      assertEquals(res.status, 303);
      assertEquals(
        res.headers.get("location"),
        `/login?next=${encodeURIComponent(path.split("?")[0])}`,
      );
      res = await p.app.request(path, {
        method,
        body: body && new URLSearchParams(body),
        headers: { ...headers, "HX-Request": "true" },
      });
      assertEquals(res.status, 401);
      assertEquals(res.headers.get("hx-redirect"), "/login");
      assertEquals(await snapshotDatabase(p.db), before);
    }));
}

for (
  const path of [
    "/inbounds",
    "/inbounds/existing",
    "/inbounds/existing/toggle",
    "/inbounds/existing/delete",
  ]
) {
  Deno.test(`POST ${path} without a CSRF token answers 403`, () =>
    withPanel(async (p) => {
      await p.postForm("/inbounds", { tag: "existing", type: "mixed", port: "11080" });
      const before = await snapshotDatabase(p.db);
      for (const token of [undefined, "wrong-token"]) {
        const body = new URLSearchParams({ tag: "n", type: "mixed", port: "11081" });
        if (token) body.set("_csrf", token);
        const res = await p.request(path, {
          method: "POST",
          csrf: false,
          body,
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
        });
        const page = await html(res, 403);
        assertStringIncludes(page, "CSRF");
      }
      assertEquals(await snapshotDatabase(p.db), before);
    }));
}
