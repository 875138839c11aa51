/**
 * What is refused when it is entered, with 422/409 and nothing changed: certificate and
 * key files that are not a PEM pair and listen addresses this machine does not have
 * (item 11), user names that differ only in case, control and bidi characters in notes,
 * token names and inbound fields, and the tags "." and ".." (item 13).
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { type Kysely, sql } from "kysely";
import { expectJson, snapshotDatabase, type TestPanel, withPanel } from "./support/app.ts";
import { certificateFiles, tlsFiles } from "./support/tls.ts";
import { insertUserRows } from "./support/rows.ts";
import { realHost } from "../core/port_probe.ts";
import { freePort } from "./support/sing_box.ts";
import { hardening } from "../db/migrations/0004_hardening.ts";

type ErrorBody = { error: string; fields: Record<string, string> };

/** Sends `body` and asserts it is refused with `status` naming `field`, changing nothing. */
async function refused(
  p: TestPanel,
  applied: string[],
  request: { method?: string; path: string; body: unknown },
  status: number,
  field: string,
  says: string,
) {
  const before = await snapshotDatabase(p.db);
  const files = await tlsFiles(p);
  const res = await p.api(request.method ?? "POST", request.path, request.body);
  const body = await expectJson<ErrorBody>(res, status);
  assertStringIncludes(body.fields[field] ?? "", says, JSON.stringify(body));
  assertEquals(await snapshotDatabase(p.db), before);
  assertEquals(await tlsFiles(p), files);
  assertEquals(applied, []);
}

const trojan = (tls: Record<string, string>) => ({
  tag: "t",
  type: "trojan",
  port: 8443,
  tls: { mode: "files", serverName: "proxy.example.com", ...tls },
});

// ---------------------------------------------------------------------------------------
// Item 11: TLS files and listen addresses

Deno.test("POST /api/v1/inbounds refuses certificate and key files that are not a PEM pair", () =>
  withPanel(async (p, applied) => {
    const pair = await certificateFiles(`${p.dataDir}/certs`);
    const other = await certificateFiles(`${p.dataDir}/other`);
    const notPem = `${p.dataDir}/notes.txt`;
    await Deno.writeTextFile(notPem, "this is not a certificate\n");
    const encrypted = `${p.dataDir}/encrypted.key`;
    await Deno.writeTextFile(
      encrypted,
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
    );
    const path = "/api/v1/inbounds";
    const cases: Array<[string, string, string, string]> = [
      [notPem, pair.keyPath, "tls.certificatePath", "is not a PEM certificate"],
      [pair.certificatePath, notPem, "tls.keyPath", "is not a PEM private key"],
      [pair.certificatePath, other.keyPath, "tls.keyPath", "does not belong to the certificate"],
      [pair.certificatePath, encrypted, "tls.keyPath", "encrypted with a passphrase"],
    ];
    for (const [certificatePath, keyPath, field, says] of cases) {
      const body = trojan({ certificatePath, keyPath });
      await refused(p, applied, { path, body }, 422, field, says);
    }
    // The pair itself is fine; a later edit pointing at a bad key is refused too.
    const created = await p.api("POST", path, trojan(pair));
    await expectJson(created, 201);
    applied.length = 0;
    await refused(
      p,
      applied,
      { method: "PATCH", path: `${path}/t`, body: { tls: { keyPath: other.keyPath } } },
      422,
      "tls.keyPath",
      "does not belong to the certificate",
    );
  }));

Deno.test("POST /api/v1/inbounds refuses a listen address this machine does not have", () =>
  withPanel(async (p, applied) => {
    for (const listen of ["192.0.2.44", "2001:db8::44"]) {
      await refused(
        p,
        applied,
        { path: "/api/v1/inbounds", body: { tag: "m", type: "mixed", listen, port: 1080 } },
        422,
        "listen",
        `Listen address ${listen} is not an address of this machine`,
      );
    }
    // Addresses the machine has, and the wildcards, are accepted.
    for (const [tag, listen] of [["any4", "0.0.0.0"], ["any6", "::"], ["local", "127.0.0.1"]]) {
      const body = { tag, type: "mixed", listen, port: freePort() };
      await expectJson(await p.api("POST", "/api/v1/inbounds", body), 201);
    }
    applied.length = 0;
    await refused(
      p,
      applied,
      { method: "PATCH", path: "/api/v1/inbounds/local", body: { listen: "198.51.100.9" } },
      422,
      "listen",
      "is not an address of this machine",
    );
  }, { host: realHost }));

Deno.test("POST /inbounds form shows a foreign listen address as a field error", () =>
  withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    const res = await p.postForm("/inbounds", {
      tag: "m",
      type: "mixed",
      listen: "192.0.2.44",
      port: "1080",
    });
    assertEquals(res.status, 422);
    assertStringIncludes(
      await res.text(),
      "Listen address 192.0.2.44 is not an address of this machine",
    );
    assertEquals(await snapshotDatabase(p.db), before);
  }, { host: realHost }));

// ---------------------------------------------------------------------------------------
// Item 13: names, notes, token names, tags

Deno.test("user names are unique regardless of case", () =>
  withPanel(async (p, applied) => {
    await insertUserRows(p.db, [{ name: "alice" }, { name: "bob" }]);
    await refused(
      p,
      applied,
      { path: "/api/v1/users", body: { name: "Alice" } },
      409,
      "name",
      `A user named "alice" already exists`,
    );
    await refused(
      p,
      applied,
      { method: "PATCH", path: "/api/v1/users/bob", body: { name: "ALICE" } },
      409,
      "name",
      `A user named "alice" already exists`,
    );
    const form = await p.postForm("/users", { name: "ALICE", trafficLimitGb: "0" });
    assertEquals(form.status, 422);
    assertStringIncludes(await form.text(), "A user named &quot;alice&quot; already exists");
    // A user may change the case of their own name.
    const renamed = await p.api("PATCH", "/api/v1/users/alice", { name: "Alice" });
    assertEquals((await expectJson<{ user: { name: string } }>(renamed, 200)).user.name, "Alice");
  }));

Deno.test("the UNIQUE index refuses names differing in case even past the checks", () =>
  withPanel(async (p) => {
    await insertUserRows(p.db, [{ name: "carol" }]);
    let error = "";
    try {
      await insertUserRows(p.db, [{ name: "CAROL" }]);
    } catch (e) {
      error = String(e);
    }
    assertStringIncludes(error, "UNIQUE constraint failed: users.name");
  }));

Deno.test("migration 0004_hardening renames users whose names differ only in case", async () => {
  await withPanel(async (p) => {
    // A database from before 0004: no case-insensitive index, names differing in case.
    await sql`DROP INDEX users_name_nocase`.execute(p.db);
    const ids = await insertUserRows(p.db, [
      { name: "dave" },
      { name: "Dave", note: "vip" },
      { name: "DAVE" },
      { name: "dave-2" },
      { name: "erin" },
    ]);
    // The migration itself (later migrations ran already in this database).
    await hardening.up(p.db as unknown as Kysely<unknown>);
    const rows = await p.db.selectFrom("users").select(["id", "name", "note"]).orderBy("id")
      .execute();
    assertEquals(rows.map((r) => r.id), ids, "nobody is deleted");
    assertEquals(rows.map((r) => r.name), ["dave", "Dave-3", "DAVE-4", "dave-2", "erin"]);
    assertEquals(rows[0].note, "");
    assertEquals(
      rows[1].note,
      `vip\nRenamed from "Dave": user names are unique regardless of case`,
    );
    assertEquals(rows[2].note, `Renamed from "DAVE": user names are unique regardless of case`);
    const res = await p.api("POST", "/api/v1/users", { name: "ERIN" });
    await expectJson(res, 409);
  });
});

Deno.test("notes refuse control and bidi characters but keep newlines", () =>
  withPanel(async (p, applied) => {
    await insertUserRows(p.db, [{ name: "frank" }]);
    for (const note of ["bell\u0007", "esc\u001b[31m", "rtl \u202Eevil", "isolate \u2066x\u2069"]) {
      await refused(
        p,
        applied,
        { method: "PATCH", path: "/api/v1/users/frank", body: { note } },
        422,
        "note",
        "must not contain",
      );
    }
    const ok = await p.api("PATCH", "/api/v1/users/frank", { note: "line one\nline two" });
    assertEquals(
      (await expectJson<{ user: { note: string } }>(ok, 200)).user.note,
      "line one\nline two",
    );
  }));

Deno.test("POST /settings/tokens refuses control and bidi characters in the token name", () =>
  withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    for (const name of ["ci\u0000", "deploy\u202Egnp.exe", "tab\there"]) {
      const res = await p.postForm("/settings/tokens", { name });
      assertEquals(res.status, 422, JSON.stringify(name));
      assertStringIncludes(await res.text(), "Token name must not contain");
    }
    assertEquals(await snapshotDatabase(p.db), before);
  }));

Deno.test("inbounds refuse the tags . and .. and bidi characters in any field", () =>
  withPanel(async (p, applied) => {
    for (const tag of [".", ".."]) {
      await refused(
        p,
        applied,
        { path: "/api/v1/inbounds", body: { tag, type: "mixed", port: 1080 } },
        422,
        "tag",
        `Tag "${tag}" is not allowed`,
      );
    }
    await refused(
      p,
      applied,
      {
        path: "/api/v1/inbounds",
        body: trojan({ certificatePath: "/etc/\u202Ecrt.pem", keyPath: "/etc/k.pem" }),
      },
      422,
      "tls.certificatePath",
      "bidirectional",
    );
  }));

// The stand-in host is what lets every other inbound test use literal ports.
Deno.test("createTestPanel() inbound checks do not depend on ports held on this machine", async () => {
  const squatter = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (squatter.addr as Deno.NetAddr).port;
  try {
    // The stand-in host lets it through; the real one sees the squatter.
    for (const [host, status] of [[undefined, 201], [realHost, 409]] as const) {
      await withPanel(async (p) => {
        const body = { tag: "m", type: "mixed", listen: "127.0.0.1", port };
        await expectJson(await p.api("POST", "/api/v1/inbounds", body), status);
      }, { host });
    }
  } finally {
    squatter.close();
  }
});
