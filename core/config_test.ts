import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { parseConfig } from "./config.ts";
import { ValidationError } from "./errors.ts";

Deno.test("parseConfig() reads allowed hosts, HTTPS files and the password reset switch", () => {
  const config = parseConfig(
    ["--allowed-hosts", "Panel.Example.com, [::1],10.0.0.2", "--reset-admin-password"],
    { SINGDECK_TLS_CERT: "/etc/singdeck/c.pem", SINGDECK_TLS_KEY: "/etc/singdeck/k.pem" },
  );
  assertEquals(config.allowedHosts, ["panel.example.com", "[::1]", "10.0.0.2"]);
  assertEquals(config.tls, {
    certificatePath: "/etc/singdeck/c.pem",
    keyPath: "/etc/singdeck/k.pem",
  });
  assertEquals(config.resetAdminPassword, true);
  assertEquals(config.singBoxGiven, false);
  const plain = parseConfig([], { SINGDECK_SING_BOX: "/opt/sing-box" });
  assertEquals([plain.allowedHosts, plain.tls, plain.resetAdminPassword], [[], undefined, false]);
  assertEquals([plain.singBoxPath, plain.singBoxGiven], ["/opt/sing-box", true]);
});

Deno.test("parseConfig() refuses a bad allowed host and a certificate without its key", () => {
  const badHost = assertThrows(
    () => parseConfig(["--allowed-hosts", "panel.example.com:8443"], {}),
    ValidationError,
  );
  assertStringIncludes(badHost.message, `Allowed host "panel.example.com:8443"`);
  const halfTls = assertThrows(() => parseConfig(["--cert", "/c.pem"], {}), ValidationError);
  assertStringIncludes(halfTls.message, "needs both --cert and --key");
  const valueless = assertThrows(() => parseConfig(["--reset-admin-password=1"], {}));
  assertStringIncludes(valueless.message, "Unknown flag");
});
