import { assertEquals, assertStringIncludes } from "@std/assert";
import { cachedSingBoxPath, locateSingBox } from "./sing_box_locate.ts";

Deno.test("cachedSingBoxPath() is where scripts/install_sing_box.sh caches its build", () => {
  assertEquals(
    cachedSingBoxPath({ HOME: "/home/op" }),
    "/home/op/.cache/singdeck/sing-box-v1.14.1/bin/sing-box",
  );
  assertEquals(
    cachedSingBoxPath({ HOME: "/home/op", XDG_CACHE_HOME: "/var/cache" }, "-no-v2ray-api"),
    "/var/cache/singdeck/sing-box-v1.14.1-no-v2ray-api/bin/sing-box",
  );
  assertEquals(
    cachedSingBoxPath({ SINGDECK_CACHE_DIR: "/opt/sd", XDG_CACHE_HOME: "/x" }),
    "/opt/sd/sing-box-v1.14.1/bin/sing-box",
  );
  // The script's own rule, read from the script, so the two cannot drift apart.
  const script = Deno.readTextFileSync(
    new URL("../../scripts/install_sing_box.sh", import.meta.url),
  );
  assertStringIncludes(
    script,
    'cache="${SINGDECK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/singdeck}/sing-box-${version}${flavour}"',
  );
  assertStringIncludes(script, 'version="${SING_BOX_VERSION:-v1.14.1}"');
  assertStringIncludes(script, 'bin="$cache/bin/sing-box"');
});

Deno.test("locateSingBox() prefers singdeck-core, then sing-box, each from PATH then the scripts' cache", async () => {
  const root = await Deno.makeTempDir();
  try {
    const pathDir = `${root}/bin`;
    const cache = `${root}/cache`;
    await Deno.mkdir(pathDir);
    const env = { PATH: `/nonexistent:${pathDir}`, SINGDECK_CACHE_DIR: cache, HOME: root };

    const none = locateSingBox(env);
    assertEquals(none.path, null);
    assertStringIncludes(none.message, "scripts/install_singdeck_core.sh");
    assertStringIncludes(none.message, "scripts/install_sing_box.sh");
    assertStringIncludes(none.message, `${cache}/sing-box-v1.14.1/bin/sing-box`);

    const cached = cachedSingBoxPath(env);
    await Deno.mkdir(`${cache}/sing-box-v1.14.1/bin`, { recursive: true });
    await Deno.writeTextFile(cached, "#!/bin/sh\n");
    const fromCache = locateSingBox(env);
    assertEquals(fromCache.path, cached);
    assertStringIncludes(fromCache.message, "built by scripts/install_sing_box.sh");

    await Deno.writeTextFile(`${pathDir}/sing-box`, "#!/bin/sh\n");
    assertEquals(locateSingBox(env).path, `${pathDir}/sing-box`);

    // singdeck-core, cached or on PATH, comes before plain sing-box.
    const core = `${cache}/singdeck-core-0123456789abcdef/bin/singdeck-core`;
    await Deno.mkdir(`${cache}/singdeck-core-0123456789abcdef/bin`, { recursive: true });
    await Deno.writeTextFile(core, "#!/bin/sh\n");
    const fromCoreCache = locateSingBox(env);
    assertEquals(fromCoreCache.path, core);
    assertStringIncludes(fromCoreCache.message, "scripts/install_singdeck_core.sh");
    await Deno.writeTextFile(`${pathDir}/singdeck-core`, "#!/bin/sh\n");
    assertEquals(locateSingBox(env).path, `${pathDir}/singdeck-core`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
