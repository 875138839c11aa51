/** The inbound form's optional "where clients connect" fields (see client_override.ts). */
import { FieldError, fieldId } from "./layout.tsx";

export function InboundClientFields(
  props: { values: Record<string, string>; errors: Record<string, string> },
) {
  const { values: v, errors: e } = props;
  return (
    <fieldset id="client-fields">
      <legend>Where clients connect (optional)</legend>
      <div class="grid">
        <label>
          Client address
          <input
            id={fieldId("client.address")}
            name="client_address"
            value={v.client_address ?? ""}
            maxlength={253}
            autocomplete="off"
            aria-invalid={e["client.address"] ? "true" : undefined}
          />
          <span class="hint">A domain or IP; empty: the public address from Settings</span>
          <FieldError error={e["client.address"]} />
        </label>
        <label>
          Client TLS server name
          <input
            id={fieldId("client.serverName")}
            name="client_server_name"
            value={v.client_server_name ?? ""}
            maxlength={253}
            autocomplete="off"
            aria-invalid={e["client.serverName"] ? "true" : undefined}
          />
          <span class="hint">Empty: the TLS server name above</span>
          <FieldError error={e["client.serverName"]} />
        </label>
      </div>
      <p class="hint">
        Share links and subscriptions use this address instead of the panel's public address (a CDN,
        another interface); the server name is what TLS clients send. Changing them does not restart
        sing-box.
      </p>
    </fieldset>
  );
}
