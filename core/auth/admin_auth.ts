/** Admin accounts, login sessions and API tokens. */
import type { Db } from "../../db/database.ts";
import * as repo from "../../db/admins.ts";
import { UnauthorizedError, ValidationError } from "../errors.ts";
import {
  generateSecret,
  hashPassword,
  hashSecret,
  safeEqual,
  verifyPassword,
} from "./passwords.ts";

/** Sessions unused for this long expire. */
export const SESSION_IDLE_MS = 12 * 3600 * 1000;
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
  if (!admin || !ok) throw new UnauthorizedError("Wrong username or password");
  // Sessions abandoned without logging out are only found idle when used; sweep them here.
  await repo.deleteIdleSessions(db, now - SESSION_IDLE_MS);
  const sessionId = generateSecret();
  await repo.insertSession(db, {
    idHash: await hashSecret(sessionId),
    adminId: admin.id,
    csrfToken: generateSecret("", 24),
    now,
  });
  return sessionId;
}

/** The live session for a cookie value, or null (unknown or idle-expired). */
export async function authenticateSession(
  db: Db,
  sessionId: string,
  now: number,
): Promise<AdminSession | null> {
  const idHash = await hashSecret(sessionId);
  const row = await repo.findSession(db, idHash);
  if (!row) return null;
  if (now - row.last_seen_at > SESSION_IDLE_MS) {
    await repo.deleteSession(db, idHash);
    return null;
  }
  if (now - row.last_seen_at > TOUCH_EVERY_MS) await repo.touchSession(db, idHash, now);
  return { idHash, adminId: row.admin_id, username: row.username, csrfToken: row.csrf_token };
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
    await repo.touchApiToken(db, row.id, now);
  }
  return true;
}

/** Creates an API token; returns the token itself, shown once and never stored. */
export async function createApiToken(db: Db, name: string, now: number): Promise<string> {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 64) {
    throw new ValidationError("Token name must be 1 to 64 characters", {
      name: "Token name must be 1 to 64 characters",
    });
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
  const errors: Record<string, string> = {};
  if (next.length < 8 || next.length > 256) {
    errors.next = "New password must be 8 to 256 characters";
  }
  if (next !== confirm) errors.confirm = "Passwords do not match";
  const admin = await repo.findAdminByUsername(db, session.username);
  if (!admin || !(await verifyPassword(current, admin.password_hash))) {
    errors.current = "Current password is wrong";
  }
  const fields = Object.keys(errors);
  if (fields.length > 0 || !admin) {
    const message = fields.length === 1 ? errors[fields[0]] : "The password was not changed";
    throw new ValidationError(message, errors);
  }
  await repo.updateAdminPassword(db, admin.id, await hashPassword(next), now);
  await repo.deleteOtherSessions(db, admin.id, session.idHash);
}
