/**
 * Free text an admin enters (notes, token names, inbound fields): characters refused
 * because they hide or reorder what a reader sees. C0 controls and DEL break logs and
 * pages; bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) make text
 * display in another order than it is stored ("Trojan Source").
 */

/** Bidi embedding, override and isolate controls. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

/** What makes free text unsafe: control characters, or bidi overrides. */
export type UnsafeText = "control" | "bidi";

/**
 * What is wrong with `value` as free text, or null when nothing is (messages word it:
 * `errors.unsafeText`). `newlines` allows "\n" (notes).
 */
export function unsafeTextProblem(
  value: string,
  options: { newlines?: boolean } = {},
): UnsafeText | null {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x0a && options.newlines) continue;
    if (code < 0x20 || code === 0x7f) return "control";
  }
  if (BIDI_CONTROLS.test(value)) return "bidi";
  return null;
}
