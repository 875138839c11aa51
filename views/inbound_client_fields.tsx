/** The inbound form's optional "where clients connect" fields (see client_override.ts). */
import { FieldError } from "./layout.tsx";

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
            name="client_address"
            value={v.client_address ?? ""}
            maxlength={253}
            placeholder="the public address from Settings"
            autocomplete="off"
          />
          <FieldError error={e["client.address"]} />
        </label>
        <label>
          Client TLS server name
          <input
            name="client_server_name"
            value={v.client_server_name ?? ""}
            maxlength={253}
            placeholder="the TLS server name above"
            autocomplete="off"
          />
          <FieldError error={e["client.serverName"]} />
        </label>
      </div>
      <p class="muted">
        Share links and subscriptions use this address instead of the panel's public address (a CDN,
        another interface); the server name is what TLS clients send. Changing them does not restart
        sing-box.
      </p>
    </fieldset>
  );
}
