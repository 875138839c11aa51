/**
 * Subscriptions: finding a user by token, what their subscription holds (one entry per
 * enabled assigned inbound, or the reason they get none), rendering it in each format,
 * the subscription URL, and regenerating the token.
 *
 * A limited, expired or disabled user still gets their subscription (200, with the real
 * `Subscription-Userinfo`, so the app shows why) but no usable server: one entry whose
 * name says why (see `blockedReason`).
 */
import { type Db, writeWhenFree } from "../../db/database.ts";
import * as repo from "../../db/subscriptions.ts";
import { findUserWithInbounds } from "../../db/users.ts";
import { NotFoundError } from "../errors.ts";
import type { User, UserStatus } from "../model.ts";
import { userStatus } from "../users/user_status.ts";
import { userNotFound } from "../users/users.ts";
import { getStatusThresholds } from "../settings.ts";
import { encodeBase64 } from "../encoding.ts";
import { type EndpointContext, resolveClientEndpoint } from "./client_endpoint.ts";
import { type ClientEntry, entryRemark, hostPort, shareLinks } from "./share_links.ts";
import { singBoxProfile, UNUSABLE_SERVER } from "./sing_box_profile.ts";
import { clashProfile } from "./clash_profile.ts";
import { subscriptionTokenHash, type SubscriptionTokens } from "./sub_tokens.ts";

/** What subscription operations need from the app. */
export interface SubscriptionDeps {
  db: Db;
  now: () => number;
  subscriptionTokens: SubscriptionTokens;
}

/** What one user's subscription holds at one moment. */
export interface Subscription {
  user: User;
  status: UserStatus;
  /** Every enabled assigned inbound (the admin sees them even while the user is blocked). */
  entries: ClientEntry[];
  /** Why the user gets no usable server, or null when they get `entries`. */
  blocked: BlockedReason | null;
}

/** Why a user gets no usable server. */
export type BlockedReason = "limited" | "expired" | "disabled" | "no_servers";

/**
 * What client apps show as the one unusable server's name (English: apps fetching a
 * profile send no language; the subscription page words it in the visitor's).
 */
const BLOCKED_REMARKS: Record<BlockedReason, string> = {
  limited: "⛔ Traffic limit reached",
  expired: "⛔ Subscription expired",
  disabled: "⛔ Account disabled",
  no_servers: "⛔ No servers assigned",
};

/** The name client apps show for a blocked subscription's one server. */
export function blockedRemark(reason: BlockedReason): string {
  return BLOCKED_REMARKS[reason];
}

/** Longest User-Agent recorded. */
export const MAX_USER_AGENT_LENGTH = 200;

/** Why a user of this status gets no server, or null when they may connect. */
export function blockedReason(status: UserStatus, entryCount: number): BlockedReason | null {
  if (status === "limited" || status === "expired" || status === "disabled") return status;
  if (entryCount === 0) return "no_servers";
  return null;
}

/**
 * The user a token belongs to, or null. Every token, well-formed or not, is hashed and
 * looked up once by hash: unknown and old tokens take the same path. Placeholder hashes
 * (see sub_tokens.ts) are filled in first, once per process.
 */
export async function findUserByToken(
  deps: Pick<SubscriptionDeps, "db" | "subscriptionTokens">,
  token: string,
): Promise<User | null> {
  await deps.subscriptionTokens.ensureHashes(deps.db);
  return (await repo.findUserByTokenHash(deps.db, await subscriptionTokenHash(token))) ?? null;
}

/** The subscription of `user` as served in `ctx`. */
export async function loadSubscription(
  deps: Pick<SubscriptionDeps, "db" | "now">,
  user: User,
  ctx: EndpointContext,
): Promise<Subscription> {
  const inbounds = await repo.servedInboundsOfUser(deps.db, user.id);
  const entries = await Promise.all(inbounds.map(async (inbound) => ({
    inbound,
    user,
    endpoint: await resolveClientEndpoint(inbound, ctx),
    remark: entryRemark(inbound, user),
  })));
  const status = userStatus(user, deps.now(), await getStatusThresholds(deps.db));
  return { user, status, entries, blocked: blockedReason(status, entries.length) };
}

/** A share link that connects nowhere, named after `reason`. */
export function unusableLink(reason: string): string {
  const at = hostPort(UNUSABLE_SERVER.server, UNUSABLE_SERVER.port);
  return `vless://00000000-0000-0000-0000-000000000000@${at}?encryption=none&type=tcp&security=none#${
    encodeURIComponent(reason)
  }`;
}

/** The links a subscription lists: each entry's first link, or the one unusable link. */
export function subscriptionLinks(sub: Subscription): string[] {
  if (sub.blocked) return [unusableLink(blockedRemark(sub.blocked))];
  return sub.entries.map((entry) => shareLinks(entry)[0]);
}

/** The body of a subscription in a machine format. */
export function renderSubscription(
  sub: Subscription,
  format: "links" | "sing-box" | "clash",
): string {
  const entries = sub.blocked ? [] : sub.entries;
  const blocked = sub.blocked ? blockedRemark(sub.blocked) : undefined;
  switch (format) {
    case "links":
      return encodeBase64(new TextEncoder().encode(subscriptionLinks(sub).join("\n")));
    case "sing-box":
      return JSON.stringify(singBoxProfile(entries, blocked), null, 2);
    case "clash":
      return clashProfile(entries, blocked);
  }
}

/** Records a fetch of `user`'s subscription now, by `userAgent` (cut to 200 characters). */
export async function recordFetch(
  deps: Pick<SubscriptionDeps, "db" | "now">,
  user: User,
  userAgent: string,
): Promise<void> {
  const agent = [...userAgent].map((ch) => (ch < " " || ch === "\x7f" ? " " : ch)).join("")
    .slice(0, MAX_USER_AGENT_LENGTH);
  const at = deps.now();
  // Not behind a poll's write: the fetch is answered now, its record follows.
  await writeWhenFree(
    deps.db,
    `subscription fetch ${user.id}`,
    () => repo.recordSubscriptionFetch(deps.db, user.id, at, agent),
  );
}

/**
 * Where subscription URLs point: the `subscriptionBaseUrl` setting, else the origin of the
 * request being answered.
 */
export function subscriptionBase(setting: string, requestUrl: string): string {
  return setting || new URL(requestUrl).origin;
}

/** A user's subscription URL under `base`. */
export async function subscriptionUrl(
  tokens: Pick<SubscriptionTokens, "token">,
  base: string,
  user: Pick<User, "id" | "subGeneration">,
): Promise<string> {
  return `${base}/sub/${await tokens.token(user)}`;
}

/** Subscription URLs of several users, by id. */
export async function subscriptionUrls(
  tokens: Pick<SubscriptionTokens, "token">,
  base: string,
  users: Array<Pick<User, "id" | "subGeneration">>,
): Promise<Map<number, string>> {
  const urls = await Promise.all(users.map((user) => subscriptionUrl(tokens, base, user)));
  return new Map(users.map((user, i) => [user.id, urls[i]]));
}

/**
 * Gives the user named `name` a new subscription token (the next generation); the old URL
 * answers 404 from then on. Credentials stay, so sing-box needs no reload.
 */
export async function regenerateSubscriptionToken(deps: SubscriptionDeps, name: string) {
  const now = deps.now();
  return await deps.db.transaction().execute(async (trx) => {
    const user = await findUserWithInbounds(trx, name);
    if (!user) throw new NotFoundError(userNotFound(name));
    const generation = user.subGeneration + 1;
    const hash = await deps.subscriptionTokens.hash({ id: user.id, subGeneration: generation });
    await repo.setSubscriptionToken(trx, user.id, generation, hash, now);
    return (await findUserWithInbounds(trx, name))!;
  });
}
