/**
 * What a client enters to sign in to one inbound as one user: the single source of every
 * credential the UI, the API, share links and profiles show, so each is exactly what the
 * server config (core/sing_box/sing_box_config.ts) expects.
 */
import type { Inbound, ShadowsocksMethod, User } from "../model.ts";
import { shadowsocksUserKey } from "../keys.ts";
import { pairStatName } from "../stats/stats_names.ts";

/** A client's sign-in for one (user, inbound) pair; only the fields its protocol uses. */
export interface ClientCredentials {
  /** vless, vmess, tuic. */
  uuid?: string;
  /**
   * trojan, hysteria2, tuic, mixed: the user's password. Shadowsocks 2022 with several
   * users: `serverKey:userKey`, the user key cut to the method's length.
   */
  password?: string;
  /** mixed: the pair's sing-box user name, `{user}|{tag}`. */
  username?: string;
  /** shadowsocks: the 2022 method. */
  method?: ShadowsocksMethod;
}

/**
 * The credentials `user` enters for `inbound`. Throws when a Shadowsocks inbound lacks its
 * method or server key (the stored settings are damaged).
 */
export function clientCredentials(inbound: Inbound, user: User): ClientCredentials {
  switch (inbound.type) {
    case "vless":
    case "vmess":
      return { uuid: user.uuid };
    case "trojan":
    case "hysteria2":
      return { password: user.password };
    case "tuic":
      return { uuid: user.uuid, password: user.password };
    case "shadowsocks": {
      const { method, serverKey } = inbound.settings;
      if (!method || !serverKey) {
        throw new Error(
          `Inbound "${inbound.tag}" of type shadowsocks needs a method and server key`,
        );
      }
      return { method, password: `${serverKey}:${shadowsocksUserKey(user.password, method)}` };
    }
    case "mixed":
      return { username: pairStatName(user.name, inbound.tag), password: user.password };
  }
}
