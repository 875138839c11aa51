/** An inbound type's name as pages show it: the protocol's own name; "mixed" worded. */
import type { InboundType } from "../core/model.ts";
import type { Messages } from "../core/i18n/en.ts";
import { useI18n } from "./i18n.ts";

/** The name of `type` in the language of `t` (protocol names are alike in every language). */
export function inboundTypeName(type: string, t: Messages): string {
  const names: Record<InboundType, string> = {
    vless: "VLESS",
    vmess: "VMess",
    trojan: "Trojan",
    shadowsocks: "Shadowsocks 2022",
    hysteria2: "Hysteria2",
    tuic: "TUIC",
    mixed: `${t.inboundForm.mixed} (SOCKS5 + HTTP)`,
  };
  return Object.hasOwn(names, type) ? names[type as InboundType] : type;
}

export function InboundTypeName(props: { type: string }) {
  const { t } = useI18n();
  return <>{inboundTypeName(props.type, t)}</>;
}
