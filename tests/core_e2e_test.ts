/**
 * The panel driving a real sing-box: inbounds and users created through the API, the
 * supervisor running sing-box, real clients carrying real bytes.
 */
import { assert, assertEquals, assertNotEquals, assertStringIncludes } from "@std/assert";
import { generateSelfSignedCertificate } from "../core/keys.ts";
import {
  fetchViaProxy,
  freePort,
  startPayloadServer,
  testWithEachCore,
} from "./support/sing_box.ts";
import { downloadIntact, processExists, startLivePanel, waitFor } from "./support/panel.ts";
import { loginCookie } from "./support/app.ts";

const MiB = 1024 * 1024;

async function runCount(panel: { db: import("../db/database.ts").Db }): Promise<number> {
  const rows = await panel.db.selectFrom("core_runs").select("id").execute();
  return rows.length;
}

testWithEachCore(
  "every inbound type created through the API carries real traffic",
  async (bin) => {
    const payload = startPayloadServer();
    const realityName = "reality.singdeck.test";
    const realityCert = await generateSelfSignedCertificate(realityName);
    const realityTarget = Deno.serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        cert: realityCert.certificatePem,
        key: realityCert.keyPem,
        onListen() {},
      },
      () => new Response("reality target"),
    );
    const panel = await startLivePanel(bin);
    try {
      const selfSigned = { mode: "self_signed", serverName: "localhost" };
      const specs: Array<Record<string, unknown>> = [
        { tag: "vless-plain", type: "vless" },
        { tag: "vless-tls", type: "vless", tls: selfSigned, flow: "xtls-rprx-vision" },
        {
          tag: "vless-reality",
          type: "vless",
          flow: "xtls-rprx-vision",
          reality: {
            handshakeServer: "127.0.0.1",
            handshakePort: realityTarget.addr.port,
            serverName: realityName,
          },
        },
        { tag: "vmess-plain", type: "vmess" },
        { tag: "vmess-tls", type: "vmess", tls: selfSigned },
        { tag: "trojan-tls", type: "trojan", tls: selfSigned },
        { tag: "ss-128", type: "shadowsocks", method: "2022-blake3-aes-128-gcm" },
        { tag: "ss-256", type: "shadowsocks", method: "2022-blake3-aes-256-gcm" },
        { tag: "hy2", type: "hysteria2", tls: selfSigned },
        { tag: "tuic", type: "tuic", tls: selfSigned },
        { tag: "mixed", type: "mixed" },
      ];
      for (const spec of specs) await panel.createInbound(spec);
      await panel.api("POST", "/users", { name: "e2e.user@x", inbounds: specs.map((s) => s.tag) });
      await panel.core.settled();
      const status = panel.core.status();
      assertEquals(status.state, "running", status.configError ?? status.lastError ?? "");
      assertEquals(status.configError, null);
      const runsBefore = await runCount(panel);
      for (const spec of specs) {
        const client = await panel.client(spec.tag as string, "e2e.user@x");
        try {
          await downloadIntact(client, payload, 2 * MiB);
        } catch (e) {
          throw new Error(
            `${spec.tag}: ${(e as Error).message}\n${panel.core.logLines().slice(-15).join("\n")}`,
          );
        } finally {
          await client.stop();
        }
      }
      assertEquals(await runCount(panel), runsBefore, "carrying traffic restarts nothing");
    } finally {
      await panel.close();
      await realityTarget.shutdown();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "several changes close together reload sing-box once and the new user connects",
  async (bin, flavour) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin, { applyDelayMs: 400 });
    try {
      await panel.serveOneUser("first");
      const pid = panel.core.status().pid;
      const runs = await runCount(panel);
      await panel.api("POST", "/users", { name: "second", inbounds: ["main"] });
      await panel.api("POST", "/users", { name: "third", inbounds: ["main"] });
      await panel.api("PATCH", "/users/first", { note: "edited" });
      await panel.core.settled();
      if (flavour === "sing-box") {
        assertEquals(await runCount(panel), runs + 1, "three changes, one reload");
        assertNotEquals(panel.core.status().pid, pid);
      } else {
        assertEquals(await runCount(panel), runs, "singdeck-core swaps the inbound: no restart");
        assertEquals(panel.core.status().pid, pid);
      }
      const client = await panel.client("main", "third");
      await downloadIntact(client, payload, MiB);
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "an inbound sing-box check refuses is left out and named; the others keep serving",
  async (bin, flavour) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin);
    try {
      await panel.api("POST", "/inbounds", {
        tag: "serving",
        type: "vless",
        listen: "127.0.0.1",
        port: freePort(),
      });
      await panel.api("POST", "/users", { name: "old", inbounds: ["serving"] });
      await panel.core.settled();
      const pid = panel.core.status().pid;
      assert(pid !== null);
      // An inbound whose certificate exists when it is created but is gone when it first
      // enters the config (it has no users until then): that config fails `sing-box check`.
      const cert = await generateSelfSignedCertificate("localhost");
      const certificatePath = `${panel.dataDir}/mine.crt`, keyPath = `${panel.dataDir}/mine.key`;
      await Deno.writeTextFile(certificatePath, cert.certificatePem);
      await Deno.writeTextFile(keyPath, cert.keyPem);
      await panel.api("POST", "/inbounds", {
        tag: "trojan-files",
        type: "trojan",
        listen: "127.0.0.1",
        port: freePort(),
        tls: { mode: "files", serverName: "localhost", certificatePath, keyPath },
      });
      await panel.core.settled();
      await Deno.remove(certificatePath);
      await panel.api("PATCH", "/users/old", { inbounds: ["serving", "trojan-files"] });
      await panel.core.settled();
      const status = panel.core.status();
      assertStringIncludes(
        status.configError ?? "",
        flavour === "sing-box"
          ? 'inbound "trojan-files" is left out'
          : 'the core refused inbound "trojan-files"',
      );
      assertStringIncludes(status.configError ?? "", "mine.crt");
      assertEquals(status.failedInbounds.map((f) => f.tag), ["trojan-files"]);
      assertEquals(status.pid, pid, "without the refused inbound nothing changed: no restart");
      const api = await panel.api<{ core: { configError: string } }>("GET", "/status");
      assertStringIncludes(api.core.configError, "mine.crt");
      const client = await panel.client("serving", "old");
      await downloadIntact(client, payload, MiB);
      assertEquals(panel.core.status().pid, pid);
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "an inbound on a port another program holds is refused; the old config keeps serving",
  async (bin, flavour) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin, { applyDelayMs: 500 });
    let squatter: Deno.Listener | null = null;
    try {
      await panel.serveOneUser("u1");
      const pid = panel.core.status().pid;
      // At the API: a port held by another program is refused at once.
      squatter = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const held = (squatter.addr as Deno.NetAddr).port;
      const refused = await panel.app.request("/api/v1/inbounds", {
        method: "POST",
        headers: {
          Authorization: "Bearer e2e-token-0123456789abcdef",
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ tag: "squatted", type: "vless", listen: "127.0.0.1", port: held }),
      });
      assertEquals(refused.status, 409);
      assertStringIncludes((await refused.json()).fields.port, "in use by another program");
      // At apply time: the port is taken between the API call and the reload.
      const late = freePort();
      await panel.api("POST", "/inbounds", {
        tag: "late",
        type: "vless",
        listen: "127.0.0.1",
        port: late,
      });
      await panel.api("PATCH", "/users/u1", { inbounds: ["main", "late"] });
      squatter.close();
      squatter = Deno.listen({ hostname: "127.0.0.1", port: late });
      await panel.core.settled();
      const status = panel.core.status();
      assertStringIncludes(
        status.configError ?? "",
        flavour === "sing-box"
          ? `Port ${late} (tcp) on 127.0.0.1 is already in use`
          : `the core refused inbound "late": start inbound/vless[late]: listen tcp 127.0.0.1:${late}`,
      );
      assertEquals(status.pid, pid, "the old process keeps running");
      const client = await panel.client("main", "u1");
      await downloadIntact(client, payload, MiB);
    } finally {
      squatter?.close();
      await panel.close();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "kill -9 of sing-box is noticed and it is restarted; shutdown leaves no process",
  async (bin) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin);
    let closed = false;
    try {
      await panel.serveOneUser("u1");
      const pid = panel.core.status().pid!;
      Deno.kill(pid, "SIGKILL");
      await waitFor("sing-box to be restarted", () => {
        const s = panel.core.status();
        return s.state === "running" && s.pid !== null && s.pid !== pid;
      });
      const status = panel.core.status();
      assertEquals(status.restarts, 1);
      assertStringIncludes(status.lastError ?? "", "exited");
      const crashed = await panel.db.selectFrom("core_runs").selectAll().where("pid", "=", pid)
        .executeTakeFirstOrThrow();
      assert(crashed.ended_at !== null, "the crashed run is recorded as ended");
      const client = await panel.client("main", "u1");
      await downloadIntact(client, payload, MiB);
      const newPid = status.pid!;
      await panel.close();
      closed = true;
      assert(!processExists(newPid), "no sing-box is left behind");
    } finally {
      if (!closed) await panel.close();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "an inbound whose certificate does not exist is refused; the config keeps serving",
  async (bin) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin);
    try {
      await panel.serveOneUser("u1");
      const pid = panel.core.status().pid;
      const configBefore = await Deno.readTextFile(`${panel.dataDir}/sing-box.json`);
      const res = await panel.app.request("/api/v1/inbounds", {
        method: "POST",
        headers: {
          Authorization: "Bearer e2e-token-0123456789abcdef",
          "Content-Type": "application/json",
        },
        body: JSON.stringify({
          tag: "no-cert",
          type: "trojan",
          listen: "127.0.0.1",
          port: freePort(),
          tls: {
            mode: "files",
            serverName: "proxy.example.com",
            certificatePath: "/nonexistent/cert.pem",
            keyPath: "/nonexistent/key.pem",
          },
        }),
      });
      assertEquals(res.status, 422);
      const body = await res.json();
      assertStringIncludes(JSON.stringify(body.fields), "/nonexistent/cert.pem");
      await panel.core.settled();
      assertEquals(
        await panel.db.selectFrom("inbounds").select("tag").where("tag", "=", "no-cert").execute(),
        [],
      );
      assertEquals(await Deno.readTextFile(`${panel.dataDir}/sing-box.json`), configBefore);
      assertEquals(panel.core.status().pid, pid);
      const client = await panel.client("main", "u1");
      await downloadIntact(client, payload, MiB);
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "the generated config is shown with secrets masked and downloads whole",
  async (bin) => {
    const panel = await startLivePanel(bin);
    try {
      await panel.serveOneUser("secretive");
      const user = await panel.user("secretive");
      const cookie = await loginCookie(panel.app);
      const view = await panel.app.request("/core/config", { headers: { Cookie: cookie } });
      assertEquals(view.status, 200);
      assertStringIncludes(view.headers.get("content-type") ?? "", "text/html");
      const html = await view.text();
      assertStringIncludes(html, "secretive|main");
      assert(!html.includes(user.uuid), "the UUID is masked");
      const download = await panel.app.request("/core/config.json", {
        headers: { Cookie: cookie },
      });
      assertEquals(download.status, 200);
      assertEquals(download.headers.get("content-type"), "application/json");
      assertStringIncludes(download.headers.get("content-disposition") ?? "", "sing-box.json");
      const config = await download.json();
      assertEquals(config.inbounds[0].users[0], { name: "secretive|main", uuid: user.uuid });
    } finally {
      await panel.close();
    }
  },
);

testWithEachCore(
  "a core that logs only warnings is ready as soon as its API answers, and is polled",
  async (bin) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin, { logLevel: "warn" });
    try {
      await panel.serveOneUser("quiet");
      const status = panel.core.status();
      assertEquals(status.state, "running", status.lastError ?? "");
      assertEquals(status.configError, null);
      assert(
        !panel.core.logLines().some((l) => l.includes("sing-box started")),
        "no info line was needed",
      );
      const client = await panel.client("main", "quiet");
      await downloadIntact(client, payload, MiB);
      await panel.core.poller.pollNow();
      assertEquals(panel.core.poller.status().state, "ok");
      assert((await panel.user("quiet")).downlink >= MiB, "the poll counted the bytes");
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "revocations apply while an inbound the core refuses is left out",
  async (bin) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin, { applyDelayMs: 200 });
    try {
      await panel.createInbound({ tag: "serving", type: "vless" });
      await panel.api("POST", "/users", { name: "keeper", inbounds: ["serving"] });
      await panel.api("POST", "/users", { name: "leaver", inbounds: ["serving"] });
      const cert = await generateSelfSignedCertificate("localhost");
      const certificatePath = `${panel.dataDir}/gone.crt`, keyPath = `${panel.dataDir}/gone.key`;
      await Deno.writeTextFile(certificatePath, cert.certificatePem);
      await Deno.writeTextFile(keyPath, cert.keyPem);
      await panel.createInbound({
        tag: "broken",
        type: "trojan",
        tls: { mode: "files", serverName: "localhost", certificatePath, keyPath },
      });
      await panel.core.settled();
      const leaver = await panel.client("serving", "leaver");
      await downloadIntact(leaver, payload, 64 * 1024);
      // The certificate disappears, then the inbound must enter the config: refused.
      await Deno.remove(certificatePath);
      await panel.api("PATCH", "/users/keeper", { inbounds: ["serving", "broken"] });
      await panel.core.settled();
      assertStringIncludes(panel.core.status().configError ?? "", '"broken"');
      // A revocation made now still applies.
      const deleted = await panel.app.request("/api/v1/users/leaver", {
        method: "DELETE",
        headers: { Authorization: "Bearer e2e-token-0123456789abcdef" },
      });
      assertEquals(deleted.status, 204);
      await panel.core.settled();
      const refused = await fetchViaProxy(leaver, `${payload.url}/bytes/1024`)
        .catch(() => ({ status: 0 }));
      assert(refused.status !== 200, "a deleted user cannot connect");
      const keeper = await panel.client("serving", "keeper");
      await downloadIntact(keeper, payload, 64 * 1024);
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
);
