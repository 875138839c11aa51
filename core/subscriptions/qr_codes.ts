/**
 * QR codes as SVG, made on the server (no script in the browser). The npm library
 * `qrcode-generator` (no dependencies) encodes the text into the module matrix; this file
 * draws the matrix as one `<path>` of horizontal runs, which keeps pages light (a 100-
 * character link is about 3 KB). The SVG holds no script and no style attribute, so it
 * can be inlined under a strict Content-Security-Policy.
 */
import qrcode from "qrcode-generator";

/** Modules of quiet zone around the code, as the QR standard asks. */
const QUIET_ZONE = 4;

/**
 * An SVG QR code of `text` (UTF-8, error correction M, the smallest version that fits).
 * Throws when the text is too long for any QR code version.
 */
export function qrSvg(text: string): string {
  const qr = qrcode(0, "M");
  // Byte mode takes one character per byte: hand it the UTF-8 bytes.
  const bytes = new TextEncoder().encode(text);
  qr.addData(String.fromCharCode(...bytes), "Byte");
  try {
    qr.make();
  } catch (e) {
    // The library throws a string ("code length overflow") when no version holds the text.
    throw new Error(`Text of ${bytes.length} bytes is too long for a QR code: ${String(e)}`);
  }
  const count = qr.getModuleCount();
  const size = count + 2 * QUIET_ZONE;
  let path = "";
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (!qr.isDark(row, col)) continue;
      let run = 1;
      while (col + run < count && qr.isDark(row, col + run)) run++;
      path += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h${run}v1h-${run}z`;
      col += run - 1;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" ` +
    `shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/>` +
    `<path fill="#000" d="${path}"/></svg>`;
}
