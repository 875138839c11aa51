/** Admin accounts, login sessions and API tokens. */
import { type Db, writeWhenFree } from "../../db/database.ts";
import * as repo from "../../db/admins.ts";
import { UnauthorizedError, ValidationError } from "../errors.ts";
import { unsafeTextProblem } from "../text.ts";
import type { Msg } from "../i18n/msg.ts";
import { decodeBase64Url, encodeBase64Url } from "../encoding.ts";
import {
  generateSecret,
  hashPassword,
  hashSecret,
  safeEqual,
  verifyPassword,
} from "./passwords.ts";

/** Sessions unused for this long expire. */
export const SESSION_IDLE_MS = 12 * 3600 * 1000;
/** Sessions expire this long after login however much they are used. */
export const SESSION_MAX_MS = 24 * 3600 * 1000;
/** A device cookie (see `issueDeviceToken`) is valid this long. */
export const DEVICE_TOKEN_MAX_MS = 90 * 24 * 3600 * 1000;
/** `last_seen_at` is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;
export const ADMIN_USERNAME = "admin";
export const API_TOKEN_PREFIX = "sdk_";

export interface AdminSession {
  idHash: string;
  adminId: number;
  username: string;
  csrfToken: string;
}

/** Whether an admin account exists (so `SINGDECK_ADMIN_PASSWORD` no longer applies). */
export async function adminExists(db: Db): Promise<boolean> {
  return await repo.countAdmins(db) > 0;
}

/**
 * Creates the admin on first run with `password`, or a random one; returns the
 * generated password (to print once) or null when none was generated or none needed.
 */
export async function ensureAdmin(db: Db, password: string | undefined, now: number) {
  if (await repo.countAdmins(db) > 0) return null;
  const pw = password ?? generateSecret("", 12);
  await repo.insertAdmin(db, ADMIN_USERNAME, await hashPassword(pw), now);
  return password ? null : pw;
}

/** Checks credentials and opens a session; returns the cookie's session id. */
export async function login(db: Db, username: string, password: string, now: number) {
  const admin = await repo.findAdminByUsername(db, username);
  // Hash even for an unknown user so the answer takes the same time.
  const hash = admin?.password_hash ?? "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA";
  const ok = await verifyPassword(password, hash);
  if (!admin || !ok) throw new UnauthorizedError((m) => m.errors.wrongPassword);
  // Sessions abandoned without logging out are only found expired when used; sweep them here.
  await repo.deleteExpiredSessions(db, now - SESSION_IDLE_MS, now - SESSION_MAX_MS);
  const sessionId = generateSecret();
  await repo.insertSession(db, {
    idHash: await hashSecret(sessionId),
    adminId: admin.id,
    csrfToken: generateSecret("", 24),
    now,
  });
  return sessionId;
}

/** The live session for a cookie value, or null (unknown, idle or past its lifetime). */
export async function authenticateSession(
  db: Db,
  sessionId: string,
  now: number,
): Promise<AdminSession | null> {
  const idHash = await hashSecret(sessionId);
  const row = await repo.findSession(db, idHash);
  if (!row) return null;
  if (now - row.last_seen_at > SESSION_IDLE_MS || now - row.created_at > SESSION_MAX_MS) {
    await repo.deleteSession(db, idHash);
    return null;
  }
  if (now - row.last_seen_at > TOUCH_EVERY_MS) {
    await writeWhenFree(db, `session ${idHash}`, () => repo.touchSession(db, idHash, now));
  }
  return { idHash, adminId: row.admin_id, username: row.username, csrfToken: row.csrf_token };
}

/**
 * Resets the admin's password (the recovery path of `--reset-admin-password`): sets
 * `password`, or a random one, creating the admin if none exists, and ends every session
 * (device cookies die with the old hash). Returns the generated password, or null.
 */
export async function resetAdminPassword(db: Db, password: string | undefined, now: number) {
  const pw = password ?? generateSecret("", 12);
  const hash = await hashPassword(pw);
  const admin = await repo.findAdminByUsername(db, ADMIN_USERNAME);
  await db.transaction().execute(async (trx) => {
    if (admin) await repo.updateAdminPassword(trx, admin.id, hash, now);
    else await repo.insertAdmin(trx, ADMIN_USERNAME, hash, now);
    await repo.deleteAllSessions(trx);
  });
  return password ? null : pw;
}

/**
 * A device cookie's value for a browser that just logged in as `username`: the login
 * limiter gives such a browser a budget of its own (see `core/auth/login_limiter.ts`).
 * It is signed with a key derived from the admin's password hash, so nothing new is
 * stored and a password change revokes every device cookie.
 */
export async function issueDeviceToken(db: Db, username: string, now: number) {
  const admin = await repo.findAdminByUsername(db, username);
  if (!admin) throw new Error(`No admin named "${username}"`);
  const body = [
    "v1",
    encodeBase64Url(new TextEncoder().encode(username)),
    String(now),
    generateSecret("", 16),
  ].join(".");
  return `${body}.${await deviceMac(admin.password_hash, body)}`;
}

/**
 * The device id and username of a device cookie, or null when it is malformed, forged,
 * older than `DEVICE_TOKEN_MAX_MS`, or signed before the admin's last password change.
 */
export async function verifyDeviceToken(
  db: Db,
  token: string,
  now: number,
): Promise<{ deviceId: string; username: string } | null> {
  const m = /^(v1\.([\w-]{1,100})\.(\d{1,15})\.([\w-]{10,64}))\.([\w-]{43})$/.exec(token);
  if (!m) return null;
  const [, body, encodedName, issuedAt, deviceId, mac] = m;
  if (now - Number(issuedAt) > DEVICE_TOKEN_MAX_MS || Number(issuedAt) > now + 60_000) return null;
  let username: string;
  try {
    username = new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64Url(encodedName));
  } catch {
    return null;
  }
  const admin = await repo.findAdminByUsername(db, username);
  if (!admin || !safeEqual(await deviceMac(admin.password_hash, body), mac)) return null;
  return { deviceId, username };
}

async function deviceMac(passwordHash: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const keyBytes = await crypto.subtle.digest(
    "SHA-256",
    encoder.encode(`singdeck device cookie\n${passwordHash}`),
  );
  const key = await crypto.subtle.importKey(
    "raw",
    keyBytes,
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  return encodeBase64Url(
    new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body))),
  );
}

/** Ends a session. */
export async function logout(db: Db, idHash: string) {
  await repo.deleteSession(db, idHash);
}

/** Whether a bearer token is valid: the configured one, or a stored (hashed) one. */
export async function authenticateApiToken(
  db: Db,
  token: string,
  configuredToken: string | undefined,
  now: number,
): Promise<boolean> {
  if (configuredToken && safeEqual(token, configuredToken)) return true;
  if (!token.startsWith(API_TOKEN_PREFIX)) return false;
  const row = await repo.findApiTokenByHash(db, await hashSecret(token));
  if (!row) return false;
  if (row.last_used_at === null || now - row.last_used_at > TOUCH_EVERY_MS) {
    await writeWhenFree(db, `api token ${row.id}`, () => repo.touchApiToken(db, row.id, now));
  }
  return true;
}

/** Creates an API token; returns the token itself, shown once and never stored. */
export async function createApiToken(db: Db, name: string, now: number): Promise<string> {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 64) {
    const message: Msg = (m) => m.errors.tokenNameLength;
    throw new ValidationError(message, { name: message });
  }
  const problem = unsafeTextProblem(trimmed);
  if (problem) {
    const message: Msg = (m) => m.errors.unsafeText(m.settings.tokens.nameLabel, problem);
    throw new ValidationError(message, { name: message });
  }
  const token = generateSecret(API_TOKEN_PREFIX);
  await repo.insertApiToken(db, trimmed, await hashSecret(token), now);
  return token;
}

/**
 * Changes the admin's password after checking the current one; ends other sessions.
 * Every problem (wrong current password, bad or unconfirmed new one) is reported at once.
 */
export async function changePassword(
  db: Db,
  session: AdminSession,
  current: string,
  next: string,
  confirm: string,
  now: number,
) {
  const errors: Record<string, Msg> = {};
  if (next.length < 8 || next.length > 256) {
    errors.next = (m) => m.errors.passwordLength;
  }
  if (next !== confirm) errors.confirm = (m) => m.errors.passwordsDiffer;
  const admin = await repo.findAdminByUsername(db, session.username);
  if (!admin || !(await verifyPassword(current, admin.password_hash))) {
    errors.current = (m) => m.errors.currentPasswordWrong;
  }
  const fields = Object.keys(errors);
  if (fields.length > 0 || !admin) {
    const message: Msg = fields.length === 1
      ? errors[fields[0]]
      : (m) => m.settings.password.notChangedSentence;
    throw new ValidationError(message, errors);
  }
  await repo.updateAdminPassword(db, admin.id, await hashPassword(next), now);
  await repo.deleteOtherSessions(db, admin.id, session.idHash);
}
