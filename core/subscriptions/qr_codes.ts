/**
 * QR codes as SVG, made on the server with the `qrcode` library (no script in the
 * browser). The SVG holds only `<path>` elements with fill/stroke attributes: no script,
 * no style attribute, so it can be inlined under a strict Content-Security-Policy.
 */
// @ts-types="@types/qrcode"
import QRCode from "qrcode";

/**
 * An SVG QR code of `text` (error correction M, a quiet zone of 4 modules as the standard
 * asks). Throws when the text is too long for any QR code version.
 */
export async function qrSvg(text: string): Promise<string> {
  return await QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
}
