/**
 * Operating the panel, through the real `main.ts` process where the item is about it:
 * file modes of the data dir and database (item 10), HTTPS with a certificate reloaded on
 * change (item 14), the admin password reset (item 15), and finding sing-box in the
 * install script's cache (item 16).
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { runPanelCommand, startPanelProcess } from "./support/panel_process.ts";
import { waitFor } from "./support/wait.ts";
import { ensureDataDir } from "../core/data_dir.ts";
import { generateSelfSignedCertificate } from "../core/keys.ts";
import { cachedSingBoxPath } from "../core/sing_box/sing_box_locate.ts";
import { openDatabase } from "../db/database.ts";
import { createApp } from "../app.tsx";
import { parseConfig } from "../core/config.ts";
import { idleServices } from "../core/services.ts";
import { loginCookie } from "./support/app.ts";

function mode(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}

/** Environment for a panel process that must not find or run any sing-box. */
async function withoutSingBox(root: string): Promise<Record<string, string>> {
  await Deno.mkdir(`${root}/empty-bin`, { recursive: true });
  return {
    SINGDECK_SING_BOX: "",
    PATH: `${root}/empty-bin`,
    SINGDECK_CACHE_DIR: `${root}/empty-cache`,
  };
}

// ---------------------------------------------------------------------------------------
// Item 10: data dir and database file modes

Deno.test("ensureDataDir() creates the data dir 0700 and warns about an open existing one", async () => {
  const root = await Deno.makeTempDir();
  try {
    assertEquals(await ensureDataDir(`${root}/a/data`), null);
    assertEquals(mode(`${root}/a/data`), 0o700);
    await Deno.mkdir(`${root}/open`, { mode: 0o755 });
    await Deno.chmod(`${root}/open`, 0o755);
    const warning = await ensureDataDir(`${root}/open`);
    assertStringIncludes(warning ?? "", "has mode 755");
    assertEquals(mode(`${root}/open`), 0o755, "an existing directory is not changed");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("openDatabase() keeps the database and its WAL files 0600", async () => {
  const root = await Deno.makeTempDir();
  try {
    const db = await openDatabase(`file:${root}/new.db`);
    await db.selectFrom("users").selectAll().execute();
    for (const file of ["new.db", "new.db-wal", "new.db-shm"]) {
      assertEquals(mode(`${root}/${file}`), 0o600, file);
    }
    await db.destroy();
    // A database left world-readable by an older version is tightened when opened.
    await Deno.chmod(`${root}/new.db`, 0o644);
    const again = await openDatabase(`file://${root}/new.db`);
    assertEquals(mode(`${root}/new.db`), 0o600);
    await again.destroy();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("main.ts creates its data dir 0700 with the database 0600", async () => {
  const root = await Deno.makeTempDir();
  const dataDir = `${root}/fresh/data`;
  const panel = await startPanelProcess(dataDir, await withoutSingBox(root));
  try {
    assertEquals(mode(dataDir), 0o700);
    assertEquals(mode(`${dataDir}/singdeck.db`), 0o600);
  } finally {
    await panel.kill("SIGTERM");
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------
// Item 14: HTTPS with the panel's own certificate, reloaded on change

/** Whether a TLS handshake with the panel succeeds when trusting only `caPem`. */
async function trusts(port: number, caPem: string): Promise<boolean> {
  try {
    const conn = await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [caPem] });
    await conn.handshake();
    conn.close();
    return true;
  } catch {
    return false;
  }
}

Deno.test("main.ts serves HTTPS with --cert/--key and picks up a renewed certificate (watched, SIGHUP)", async () => {
  const root = await Deno.makeTempDir();
  const first = await generateSelfSignedCertificate("127.0.0.1");
  const second = await generateSelfSignedCertificate("127.0.0.1");
  const cert = `${root}/panel.crt`, key = `${root}/panel.key`;
  await Deno.writeTextFile(cert, first.certificatePem);
  await Deno.writeTextFile(key, first.keyPem);
  const panel = await startPanelProcess(`${root}/data`, await withoutSingBox(root), [
    "--cert",
    cert,
    "--key",
    key,
  ]);
  try {
    assert(panel.url.startsWith("https://127.0.0.1:"), panel.url);
    const port = Number(new URL(panel.url).port);
    const client = Deno.createHttpClient({ caCerts: [first.certificatePem] });
    const res = await fetch(`${panel.url}/login`, { client });
    assertEquals(res.status, 200);
    assertStringIncludes(res.headers.get("strict-transport-security") ?? "", "max-age=");
    await res.body?.cancel();
    client.close();
    assert(!(await trusts(port, second.certificatePem)));

    // A renewal writes a broken pair first (certificate before key): the old one keeps serving.
    await Deno.writeTextFile(cert, second.certificatePem);
    await waitFor("the refused pair to be logged", () => panel.output().includes("not reloaded"));
    assert(await trusts(port, first.certificatePem), "still served by the first certificate");
    // The key follows; SIGHUP (`systemctl reload`) reloads at once instead of at the next check.
    await Deno.writeTextFile(key, second.keyPem);
    Deno.kill(panel.pid, "SIGHUP");
    await waitFor(
      "the new certificate to be served",
      () => trusts(port, second.certificatePem),
      3_000,
    );
    assert(!(await trusts(port, first.certificatePem)));
    assertStringIncludes(panel.output(), "TLS certificate reloaded");
  } finally {
    await panel.kill("SIGTERM");
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("main.ts refuses to start with a key that does not belong to the certificate", async () => {
  const root = await Deno.makeTempDir();
  try {
    const a = await generateSelfSignedCertificate("127.0.0.1");
    const b = await generateSelfSignedCertificate("127.0.0.1");
    await Deno.writeTextFile(`${root}/c.pem`, a.certificatePem);
    await Deno.writeTextFile(`${root}/k.pem`, b.keyPem);
    const env = await withoutSingBox(root);
    const { code, output } = await runPanelCommand(
      `${root}/data`,
      ["--cert", `${root}/c.pem`, "--key", `${root}/k.pem`],
      env,
    );
    assertEquals(code, 1, output);
    assertStringIncludes(output, "does not belong to the certificate");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------
// Item 15: password recovery

Deno.test("main.ts says SINGDECK_ADMIN_PASSWORD is ignored once the admin exists, and --reset-admin-password resets it", async () => {
  const root = await Deno.makeTempDir();
  const dataDir = `${root}/data`;
  const env = await withoutSingBox(root);
  try {
    let panel = await startPanelProcess(dataDir, { ...env, SINGDECK_ADMIN_PASSWORD: "first one!" });
    await panel.kill("SIGTERM");
    assert(!panel.output().includes("is ignored"));
    panel = await startPanelProcess(dataDir, { ...env, SINGDECK_ADMIN_PASSWORD: "second one" });
    await panel.kill("SIGTERM");
    assertStringIncludes(panel.output(), "SINGDECK_ADMIN_PASSWORD is ignored");
    assertStringIncludes(panel.output(), "--reset-admin-password");

    const reset = await runPanelCommand(dataDir, ["--reset-admin-password"], {
      ...env,
      SINGDECK_ADMIN_PASSWORD: "",
    });
    assertEquals(reset.code, 0, reset.output);
    const generated = /new admin password: (\S+)/.exec(reset.output)?.[1];
    assert(generated, reset.output);
    assert(!reset.output.includes("listening"), "the reset does not start the panel");

    const db = await openDatabase(`file:${dataDir}/singdeck.db`);
    try {
      const app = createApp({
        db,
        config: parseConfig([], { SINGDECK_DATA_DIR: dataDir }),
        services: idleServices(),
      });
      assert((await loginCookie(app, generated)).startsWith("singdeck_session="));
      let oldRefused = false;
      await loginCookie(app, "first one!").catch(() => oldRefused = true);
      assert(oldRefused, "the old password no longer works");
      const sessions = await db.selectFrom("sessions").selectAll().execute();
      assertEquals(sessions.length, 1, "the reset ended the earlier sessions");
    } finally {
      await db.destroy();
    }

    const chosen = await runPanelCommand(dataDir, ["--reset-admin-password"], {
      ...env,
      SINGDECK_ADMIN_PASSWORD: "chosen password",
    });
    assertEquals(chosen.code, 0, chosen.output);
    assertStringIncludes(chosen.output, "admin password reset to SINGDECK_ADMIN_PASSWORD");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------
// Item 16: sing-box from the install script's cache

Deno.test("main.ts finds the sing-box that scripts/install_sing_box.sh cached, or points to the script", async () => {
  const root = await Deno.makeTempDir();
  try {
    const env = await withoutSingBox(root);
    let panel = await startPanelProcess(`${root}/data1`, env);
    await panel.kill("SIGTERM");
    assertStringIncludes(panel.output(), "run scripts/install_singdeck_core.sh");
    assertStringIncludes(panel.output(), "scripts/install_sing_box.sh");

    const cached = cachedSingBoxPath(env);
    await Deno.mkdir(cached.replace(/\/sing-box$/, ""), { recursive: true });
    await Deno.writeTextFile(cached, "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    panel = await startPanelProcess(`${root}/data2`, env);
    try {
      assertStringIncludes(
        panel.output(),
        `using ${cached} (built by scripts/install_sing_box.sh)`,
      );
      const status = await panel.api<{ core: { binary: string } }>("GET", "/status");
      assertEquals(status.body.core.binary, cached);
    } finally {
      await panel.kill("SIGTERM");
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
