import { assertEquals, assertStringIncludes } from "@std/assert";
import { createTestPanel } from "./support/app.ts";

Deno.test("smoke: login works and settings renders", async () => {
  const p = await createTestPanel();
  try {
    const res = await p.request("/settings");
    assertEquals(res.status, 200);
    assertStringIncludes(await res.text(), "API tokens");
  } finally {
    await p.close();
  }
});
