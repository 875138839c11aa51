/** Admin password hashing (scrypt, memory-hard) and secret-token helpers. */
import { createHash, scrypt, timingSafeEqual } from "node:crypto";
import { decodeBase64, encodeBase64, encodeBase64Url, encodeHex } from "../encoding.ts";
import { randomBytes } from "../keys.ts";

const SCRYPT = { N: 1 << 15, r: 8, p: 1, keyLength: 32 };

function scryptAsync(password: string, salt: Uint8Array, params = SCRYPT): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scrypt(
      password,
      salt,
      params.keyLength,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r },
      (err, key) => err ? reject(err) : resolve(new Uint8Array(key)),
    );
  });
}

/** `scrypt$N$r$p$salt$hash` for a password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt);
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, encodeBase64(salt), encodeBase64(key)].join("$");
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !hash) return false;
  const expected = decodeBase64(hash);
  const key = await scryptAsync(password, decodeBase64(salt), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    keyLength: expected.length,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Compares two strings in time independent of where they differ and of their lengths:
 * their SHA-256 digests (always 32 bytes) are compared, so a guess of the wrong length
 * takes as long as one of the right length.
 */
export function safeEqual(a: string, b: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(a), digest(b)) && a === b;
}

/** A random secret: `bytes` random bytes, base64url, with an optional prefix. */
export function generateSecret(prefix = "", bytes = 32): string {
  return prefix + encodeBase64Url(randomBytes(bytes));
}

/** SHA-256 hex of a secret: what is stored for session ids and API tokens. */
export async function hashSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return encodeHex(new Uint8Array(digest));
}
