/** The inbound form's optional "where clients connect" fields (see client_override.ts). */
import type { Msg } from "../core/i18n/msg.ts";
import { useI18n } from "./i18n.ts";
import { FieldError, fieldId } from "./layout.tsx";

export function InboundClientFields(
  props: { values: Record<string, string>; errors: Record<string, Msg> },
) {
  const { t } = useI18n();
  const l = t.inboundFields;
  const h = t.inboundForm;
  const { values: v, errors: e } = props;
  return (
    <fieldset id="client-fields">
      <legend>{h.clientLegend}</legend>
      <div class="grid">
        <label>
          {l["client.address"]}
          <input
            id={fieldId("client.address")}
            name="client_address"
            value={v.client_address ?? ""}
            maxlength={253}
            autocomplete="off"
            dir="ltr"
            aria-invalid={e["client.address"] ? "true" : undefined}
          />
          <span class="hint">{h.clientAddressHint}</span>
          <FieldError error={e["client.address"]} />
        </label>
        <label>
          {l["client.serverName"]}
          <input
            id={fieldId("client.serverName")}
            name="client_server_name"
            value={v.client_server_name ?? ""}
            maxlength={253}
            autocomplete="off"
            dir="ltr"
            aria-invalid={e["client.serverName"] ? "true" : undefined}
          />
          <span class="hint">{h.clientServerNameHint}</span>
          <FieldError error={e["client.serverName"]} />
        </label>
      </div>
      <p class="hint">{h.clientExplained}</p>
    </fieldset>
  );
}
