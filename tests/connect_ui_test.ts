/**
 * The admin side of subscriptions over HTTP: the user page's Connect section, the Users
 * table's copy-link action, the Settings "Subscriptions" form, the dashboard's public
 * address warning, and the inbound's client override (API and form).
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { snapshotDatabase, withPanel } from "./support/app.ts";
import { insertInboundRow } from "./support/rows.ts";
import { certificateFiles } from "./support/tls.ts";
import { getSettings, saveSettings } from "../core/settings.ts";

type Json = Record<string, unknown>;

async function created(res: Response): Promise<Json> {
  const text = await res.text();
  assertEquals(res.status, 201, text);
  return JSON.parse(text);
}

Deno.test("The user page's Connect section shows the URL, its QR code, links and exact credentials", async () => {
  await withPanel(async (p) => {
    await p.api("POST", "/api/v1/inbounds", {
      tag: "ss-small",
      type: "shadowsocks",
      listen: "127.0.0.1",
      port: 22001,
      method: "2022-blake3-aes-128-gcm",
    });
    await p.api("POST", "/api/v1/inbounds", {
      tag: "mix",
      type: "mixed",
      listen: "127.0.0.1",
      port: 22002,
    });
    const user = (await created(
      await p.api("POST", "/api/v1/users", { name: "ann", inbounds: ["ss-small", "mix"] }),
    )).user as Json;
    const links = await (await p.api("GET", "/api/v1/users/ann/links")).json();
    const res = await p.request("/users/ann");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("cache-control"), "no-store");
    const page = await res.text();
    assertStringIncludes(page, `id="connect"`);
    assertStringIncludes(
      page,
      `<p class="secret" id="subscription-url">${user.subscriptionUrl}</p>`,
    );
    assertMatch(
      page,
      /<div class="qr" id="subscription-qr"[^>]*><svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
    assertStringIncludes(page, `data-copy="${user.subscriptionUrl}"`);
    // Each link collapsed, with its QR code as a lazy image and the exact credentials.
    for (
      const inbound of links.inbounds as Array<{ tag: string; credentials: Json; links: string[] }>
    ) {
      assertStringIncludes(page, `<details class="share-link" data-tag="${inbound.tag}">`);
      for (const link of inbound.links) assertStringIncludes(page, link.replaceAll("&", "&amp;"));
      for (const value of Object.values(inbound.credentials)) {
        assertStringIncludes(page, `<dd class="secret">${value}</dd>`);
      }
    }
    assertStringIncludes(page, `<dd class="secret">ann|mix</dd>`);
    assertStringIncludes(page, `src="/users/ann/qr/ss-small.svg?n=0"`);
    assertStringIncludes(page, `src="/users/ann/qr/mix.svg?n=1"`);
    assertStringIncludes(page, "The subscription has not been fetched yet.");

    const qr = await p.request("/users/ann/qr/mix.svg?n=1");
    assertEquals(qr.status, 200);
    assertEquals(qr.headers.get("content-type"), "image/svg+xml");
    assertMatch(
      await qr.text(),
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*><rect [^>]*\/><path/,
    );
    assertEquals((await p.request("/users/ann/qr/nope.svg")).status, 404);
    assertEquals((await p.request("/users/ann/qr/mix.svg?n=5")).status, 404);

    const profile = await p.request("/users/ann/profile.json");
    assertEquals(profile.status, 200);
    assertEquals(profile.headers.get("content-disposition"), 'attachment; filename="ann.json"');
    const outbounds = (await profile.json()).outbounds as Json[];
    assertEquals(outbounds.map((o) => o.tag), ["Proxy", "Auto", "mix · ann", "ss-small · ann"]);
  });
});

Deno.test("Connect pages and actions need a login", async () => {
  await withPanel(async (p) => {
    await insertInboundRow(p.db, { tag: "vless-main" });
    await p.api("POST", "/api/v1/users", { name: "bo", inbounds: ["vless-main"] });
    for (const path of ["/users/bo/profile.json", "/users/bo/qr/vless-main.svg"]) {
      const res = await p.app.request(path);
      assertEquals(res.status, 303, path);
    }
    const post = await p.app.request("/users/bo/regenerate-token", { method: "POST" });
    assertEquals(post.status, 303);
    const api = await p.app.request("/api/v1/users/bo/links");
    assertEquals(api.status, 401);
  });
});

Deno.test("The Users table has a copy-link action per row", async () => {
  await withPanel(async (p) => {
    const cat = (await created(await p.api("POST", "/api/v1/users", { name: "cat" }))).user as Json;
    const dan = (await created(await p.api("POST", "/api/v1/users", { name: "dan" }))).user as Json;
    for (const headers of [{}, { "HX-Request": "true" }] as Array<Record<string, string>>) {
      const page = await (await p.request("/users", { headers })).text();
      // In each row's actions, beside Edit.
      for (const user of [cat, dan]) {
        const row = new RegExp(`<tr id="user-row-${user.id}"[\\s\\S]*?</tr>`).exec(page)?.[0] ?? "";
        assertMatch(row, /<div class="row-actions">[\s\S]*>Edit<[\s\S]*>Copy link</);
        assertStringIncludes(row, `data-copy="${user.subscriptionUrl}"`);
      }
    }
  });
});

Deno.test("Settings saves the subscription settings, and refuses bad ones changing nothing", async () => {
  await withPanel(async (p, applied) => {
    const page = await (await p.request("/settings")).text();
    assertStringIncludes(page, `id="subscriptions"`);
    assertStringIncludes(page, `name="publicAddress"`);
    const ok = await p.postForm("/settings/subscriptions", {
      publicAddress: "VPN.Example.com",
      subscriptionBaseUrl: "https://sub.example.com/",
      profileUpdateHours: "24",
    });
    assertEquals(ok.status, 200);
    assertStringIncludes(await ok.text(), "Subscription settings saved.");
    const settings = await getSettings(p.db);
    assertEquals(
      [settings.publicAddress, settings.subscriptionBaseUrl, settings.profileUpdateHours],
      ["vpn.example.com", "https://sub.example.com", 24],
    );

    const before = await snapshotDatabase(p.db);
    const bad = await p.postForm("/settings/subscriptions", {
      publicAddress: "not a host!",
      subscriptionBaseUrl: "ftp://x",
      profileUpdateHours: "0",
    });
    assertEquals(bad.status, 422);
    const text = await bad.text();
    assertStringIncludes(
      text,
      "Public address &quot;not a host!&quot; is not a host name or IP address",
    );
    assertStringIncludes(text, "is not an http(s) URL");
    assertStringIncludes(text, "must be a whole number from 1 to 168");
    assertStringIncludes(text, 'value="not a host!"');
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
  });
});

Deno.test("The dashboard warns while no public address is set and inbounds listen everywhere", async () => {
  await withPanel(async (p) => {
    await insertInboundRow(p.db, { tag: "everywhere", listen: "::" });
    await insertInboundRow(p.db, { tag: "local", listen: "127.0.0.1" });
    await insertInboundRow(p.db, {
      tag: "routed",
      listen: "0.0.0.0",
      settings: JSON.stringify({ client: { address: "edge.example.net" } }),
    });
    let page = await (await p.request("/")).text();
    assertMatch(
      page,
      /id="public-address-warning"[^>]*>No public address is set and inbound everywhere listens/,
    );
    await saveSettings(p.db, { publicAddress: "vpn.example.com" });
    page = await (await p.request("/")).text();
    assert(!page.includes("public-address-warning"));
  });
});

Deno.test("An inbound's client override is stored, shown, and changes no sing-box config", async () => {
  await withPanel(async (p, applied) => {
    const body = await created(
      await p.api("POST", "/api/v1/inbounds", {
        tag: "edge",
        type: "trojan",
        listen: "127.0.0.1",
        port: 22010,
        tls: {
          mode: "files",
          serverName: "origin.example.com",
          ...(await certificateFiles(`${p.dataDir}/certs`, { serverName: "origin.example.com" })),
        },
        client: { address: "CDN.Example.net", serverName: "cdn.example.net" },
      }),
    );
    assertEquals((body.inbound as Json & { settings: Json }).settings.client, {
      address: "cdn.example.net",
      serverName: "cdn.example.net",
    });
    applied.length = 0;
    const patched = await p.api("PATCH", "/api/v1/inbounds/edge", {
      client: { address: "2001:DB8::1" },
    });
    assertEquals(patched.status, 200);
    const inbound = (await patched.json()).inbound as Json & { settings: Json };
    assertEquals(inbound.settings.client, {
      address: "2001:db8::1",
      serverName: "cdn.example.net",
    });
    assertEquals(applied, [], "a client override alone needs no reload");
    const form = await (await p.request("/inbounds/edge/edit")).text();
    assertStringIncludes(form, 'name="client_address" value="2001:db8::1"');

    // Cleared by null; a real change still reloads.
    await p.api("PATCH", "/api/v1/inbounds/edge", { client: null });
    assertEquals(applied, []);
    await p.api("PATCH", "/api/v1/inbounds/edge", { port: 22011 });
    assertEquals(applied, ['inbound "edge" updated']);
  });
});

Deno.test("A bad client override is refused with a field error and changes nothing", async () => {
  await withPanel(async (p) => {
    await p.api("POST", "/api/v1/inbounds", {
      tag: "plain",
      type: "vless",
      listen: "127.0.0.1",
      port: 22020,
    });
    const before = await snapshotDatabase(p.db);
    const cases: Array<[Json, string, string]> = [
      [
        { client: { address: "not a host" } },
        "client.address",
        'Client address "not a host" is not a host name or IP address',
      ],
      [
        { client: { serverName: "sni.example.com" } },
        "client.serverName",
        "A client server name applies only to inbounds with TLS",
      ],
      [
        { client: { port: 1 } },
        "client.port",
        'Unknown field "client.port"; known fields are address, serverName',
      ],
      [{ client: "edge" }, "client", "Client must be an object or null"],
      [{ client: { address: 7 } }, "client.address", "Client address must be a string"],
      [
        {
          tls: { mode: "self_signed", serverName: "a.example.com" },
          client: { serverName: "b.example.com" },
        },
        "client.serverName",
        "Clients check a self-signed certificate against its own server name; leave the client server name empty",
      ],
      [
        {
          reality: { handshakeServer: "www.example.com" },
          client: { serverName: "x.example.com" },
        },
        "client.serverName",
        "Reality clients send the Reality server name; leave the client server name empty",
      ],
    ];
    for (const [patch, field, message] of cases) {
      const res = await p.api("PATCH", "/api/v1/inbounds/plain", patch);
      assertEquals(res.status, 422, JSON.stringify(patch));
      assertEquals((await res.json()).fields[field], message);
    }
    const form = await p.postForm("/inbounds/plain", {
      tag: "plain",
      type: "vless",
      listen: "127.0.0.1",
      port: "22020",
      security: "none",
      enabled: "on",
      client_address: "bad host",
      client_server_name: "",
    });
    assertEquals(form.status, 422);
    assertStringIncludes(
      await form.text(),
      "Client address &quot;bad host&quot; is not a host name or IP address",
    );
    assertEquals(await snapshotDatabase(p.db), before);
  });
});

Deno.test("The mixed inbound form tells the user name clients must use", async () => {
  await withPanel(async (p) => {
    await p.api("POST", "/api/v1/inbounds", {
      tag: "socks-in",
      type: "mixed",
      listen: "127.0.0.1",
      port: 22030,
    });
    const page = await (await p.request("/inbounds/socks-in/edit")).text();
    assertStringIncludes(page, "<code>&lt;user name&gt;|socks-in</code>");
  });
});
