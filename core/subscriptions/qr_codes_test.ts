import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { qrSvg } from "./qr_codes.ts";

Deno.test("qrSvg() draws a square code with a quiet zone, no script and no style", () => {
  const svg = qrSvg("http://127.0.0.1:2095/sub/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefg");
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  // Version n has 17 + 4n modules; plus 4 modules of quiet zone on each side.
  assertEquals((size - 8 - 17) % 4, 0);
  assertMatch(
    svg,
    /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*><rect[^>]*\/><path fill="#000" d="M4 4h7v1h-7z/,
  );
  assert(!/style|script|on\w+=/i.test(svg));
  // The three finder patterns: a 7-module run at the top left and top right of row 4.
  assertMatch(svg, new RegExp(`M${size - 11} 4h7v1h-7z`));
});

Deno.test("qrSvg() takes non-ASCII text and refuses text too long for any version", () => {
  assertMatch(qrSvg("ss · zoë"), /^<svg/);
  assertThrows(
    () => qrSvg("x".repeat(4000)),
    Error,
    "Text of 4000 bytes is too long for a QR code",
  );
});
