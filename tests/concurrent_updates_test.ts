/**
 * Concurrent updates of one inbound or user (item 12): each update is prepared from the row
 * as read first and compared with the row inside its write transaction, so of two racing
 * updates one wins and the other gets 409, without files left behind; an edit form opened
 * before someone else's change is refused the same way instead of undoing it.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { expectJson, snapshotDatabase, withPanel } from "./support/app.ts";
import { tlsFiles } from "./support/tls.ts";
import { insertUserRows } from "./support/rows.ts";
import { findInboundByTag } from "../db/inbounds.ts";

Deno.test("concurrent renames of one self-signed inbound: one wins, the others get 409 and leave no files", () =>
  withPanel(async (p) => {
    await expectJson(
      await p.api("POST", "/api/v1/inbounds", {
        tag: "x",
        type: "trojan",
        port: 8443,
        tls: { mode: "self_signed" },
      }),
      201,
    );
    assertEquals(await tlsFiles(p), ["x.crt", "x.key"]);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        p.api("PATCH", "/api/v1/inbounds/x", {
          tag: `y${i}`,
          tls: { serverName: `y${i}.example` },
        })),
    );
    const statuses = answers.map((res) => res.status);
    const bodies = await Promise.all(answers.map((res) => res.json()));
    assertEquals(statuses.filter((s) => s === 200).length, 1, JSON.stringify(statuses));
    for (const [i, status] of statuses.entries()) {
      if (status === 200) continue;
      // A loser either raced the winner (409) or arrived after the rename (404).
      assertEquals([409, 404].includes(status), true, `${status}: ${JSON.stringify(bodies[i])}`);
    }
    const loserMessages = bodies.filter((_, i) => statuses[i] === 409).map((b) => b.error);
    for (const message of loserMessages) {
      assertStringIncludes(message, "was changed by someone else");
    }
    const winner = bodies[statuses.indexOf(200)].inbound.tag as string;
    const stored = await p.db.selectFrom("inbounds").select("tag").execute();
    assertEquals(stored.map((r) => r.tag), [winner]);
    assertEquals(await tlsFiles(p), [`${winner}.crt`, `${winner}.key`]);
  }));

Deno.test("concurrent PATCHes of one inbound never mix their changes", () =>
  withPanel(async (p) => {
    await expectJson(
      await p.api("POST", "/api/v1/inbounds", { tag: "m", type: "mixed", port: 1080 }),
      201,
    );
    const [a, b] = await Promise.all([
      p.api("PATCH", "/api/v1/inbounds/m", { port: 1081, enabled: false }),
      p.api("PATCH", "/api/v1/inbounds/m", { port: 1082, listen: "127.0.0.1" }),
    ]);
    const statuses = [a.status, b.status];
    await a.body?.cancel();
    await b.body?.cancel();
    const stored = (await findInboundByTag(p.db, "m"))!;
    const outcome = [stored.port, stored.enabled, stored.listen];
    if (statuses.includes(409)) {
      // One lost: the stored row is exactly the winner's change.
      const expected = statuses[0] === 200 ? [1081, false, "::"] : [1082, true, "127.0.0.1"];
      assertEquals(outcome, expected);
    } else {
      // Both applied one after the other: the second saw the first.
      assertEquals(statuses, [200, 200]);
      assertEquals(
        [[1081, false, "127.0.0.1"], [1082, false, "127.0.0.1"]].some((o) =>
          JSON.stringify(o) === JSON.stringify(outcome)
        ),
        true,
        JSON.stringify(outcome),
      );
    }
  }));

/** The user form as submitted with a traffic limit of 10 GB and a note. */
const ALICE_FORM = {
  name: "alice",
  trafficLimitGb: "10",
  enabled: "on",
  resetStrategy: "none",
  note: "edited in an old tab",
};

/** The hidden `version` field of a page's edit form. */
function formVersion(page: string): string {
  const version = /name="version" value="([0-9a-f]{16})"/.exec(page)?.[1];
  if (!version) throw new Error("The edit form carries no version");
  return version;
}

Deno.test("POST /users/:name from a form opened before another change answers 409 and keeps that change", () =>
  withPanel(async (p, applied) => {
    await insertUserRows(p.db, [{ name: "alice", traffic_limit: 10 * 1024 ** 3 }]);
    const version = formVersion(await (await p.request("/users/alice")).text());
    // Meanwhile, another admin (or a script) raises the limit.
    const raised = await p.api("PATCH", "/api/v1/users/alice", { trafficLimit: 20 * 1024 ** 3 });
    await expectJson(raised, 200);
    applied.length = 0;
    const before = await snapshotDatabase(p.db);
    const stale = await p.postForm("/users/alice", { ...ALICE_FORM, version });
    assertEquals(stale.status, 409);
    const page = await stale.text();
    assertStringIncludes(page, "was changed by someone else since this form was opened");
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
    // The re-rendered form carries the current version: saving again is a deliberate overwrite.
    const again = await p.postForm("/users/alice", { ...ALICE_FORM, version: formVersion(page) });
    assertEquals(again.status, 303);
  }));

Deno.test("POST /users/:name with the version of the form saves normally, even after a traffic reset", () =>
  withPanel(async (p) => {
    await insertUserRows(p.db, [{ name: "bob", uplink: 5, downlink: 5 }]);
    const version = formVersion(await (await p.request("/users/bob")).text());
    await expectJson(await p.api("POST", "/api/v1/users/bob/reset-traffic"), 200);
    const saved = await p.postForm("/users/bob", {
      version,
      name: "bob",
      trafficLimitGb: "1",
      enabled: "on",
      resetStrategy: "none",
      note: "",
    });
    assertEquals(saved.status, 303);
  }));

Deno.test("POST /inbounds/:tag from a form opened before another change answers 409 and keeps that change", () =>
  withPanel(async (p) => {
    await expectJson(
      await p.api("POST", "/api/v1/inbounds", { tag: "m", type: "mixed", port: 1080 }),
      201,
    );
    const version = formVersion(await (await p.request("/inbounds/m/edit")).text());
    await expectJson(await p.api("PATCH", "/api/v1/inbounds/m", { port: 1090 }), 200);
    const before = await snapshotDatabase(p.db);
    const stale = await p.postForm("/inbounds/m", {
      version,
      tag: "m",
      type: "mixed",
      listen: "",
      port: "1080",
      enabled: "on",
    });
    assertEquals(stale.status, 409);
    assertStringIncludes(await stale.text(), "was changed by someone else");
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals((await findInboundByTag(p.db, "m"))!.port, 1090);
  }));
