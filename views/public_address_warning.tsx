/** The dashboard's warning while no public address is set and inbounds listen everywhere. */
import { useI18n } from "./i18n.ts";

export function PublicAddressWarning(props: { tags: string[] }) {
  const { t } = useI18n();
  if (props.tags.length === 0) return null;
  const shown = props.tags.slice(0, 5).join(", ") + (props.tags.length > 5 ? "…" : "");
  return (
    <p class="flash error" role="alert" id="public-address-warning">
      {t.dashboard.noPublicAddress(props.tags.length, shown)}{" "}
      <a href="/settings#subscriptions">{t.dashboard.setPublicAddress}</a>
    </p>
  );
}
