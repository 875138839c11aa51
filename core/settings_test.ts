import { assertEquals, assertRejects } from "@std/assert";
import { openDatabase } from "../db/database.ts";
import { ValidationError } from "./errors.ts";
import { getSettings, saveSettings } from "./settings.ts";

async function withDb(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "singdeck-settings-" });
  const db = await openDatabase(`file:${dir}/t.db`);
  try {
    await fn(db);
  } finally {
    await db.destroy();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("getSettings() gives defaults, saveSettings() stores and survives a reopen", async () => {
  const dir = await Deno.makeTempDir({ prefix: "singdeck-settings-" });
  try {
    let db = await openDatabase(`file:${dir}/t.db`);
    assertEquals((await getSettings(db)).allowPrivateEgress, false);
    assertEquals((await saveSettings(db, { allowPrivateEgress: "on" })).allowPrivateEgress, true);
    assertEquals((await getSettings(db)).allowPrivateEgress, true);
    await db.destroy();
    db = await openDatabase(`file:${dir}/t.db`);
    assertEquals((await getSettings(db)).allowPrivateEgress, true);
    await db.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveSettings() refuses an unknown key and writes nothing", async () => {
  await withDb(async (db) => {
    const error = await assertRejects(
      () => saveSettings(db, { allowPrivateEgress: "1", nope: "x" }),
      ValidationError,
    );
    assertEquals(Object.keys((error as ValidationError).fields), ["nope"]);
    assertEquals(await db.selectFrom("settings").selectAll().execute(), []);
    assertEquals((await getSettings(db)).allowPrivateEgress, false);
  });
});

Deno.test("saveSettings() normalises a public address and refuses a bad one unchanged", async () => {
  await withDb(async (db) => {
    assertEquals(
      (await saveSettings(db, { publicAddress: " VPN.Example.com " })).publicAddress,
      "vpn.example.com",
    );
    assertEquals(
      (await saveSettings(db, { publicAddress: "[2001:DB8::1]" })).publicAddress,
      "2001:db8::1",
    );
    await assertRejects(() => saveSettings(db, { publicAddress: "not a host!" }), ValidationError);
    assertEquals((await getSettings(db)).publicAddress, "2001:db8::1");
  });
});
