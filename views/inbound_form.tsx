/**
 * The inbound form (new and edit). Field names are the form's; errors are keyed like the
 * API's (`tag`, `tls.serverName`, `reality.shortIds`, ...). The type-specific part is its
 * own fragment so the type select can swap it in with htmx; without JS it still posts.
 */
import { Bytes, CsrfField, ErrorSummary, FieldError, fieldId, Layout } from "./layout.tsx";
import { formatTime } from "../core/format.ts";
import { label } from "../core/inbounds/inbound_fields.ts";
import { InboundClientFields } from "./inbound_client_fields.tsx";
import {
  type Inbound,
  INBOUND_TYPES,
  type InboundType,
  SHADOWSOCKS_METHODS,
} from "../core/model.ts";

const METHODS = Object.keys(SHADOWSOCKS_METHODS);

/** Submitted or stored form values by field name (checkboxes are "on" when checked). */
export type InboundFormValues = Record<string, string>;

export interface InboundFormProps {
  /** The stored tag when editing; absent for a new inbound. */
  originalTag?: string;
  values: InboundFormValues;
  errors: Record<string, string>;
  /** Summary of what went wrong, shown above the fields. */
  message?: string;
  /** A notice after saving. */
  notice?: string;
  csrfToken: string;
  /** Reality public key of the stored inbound (clients need it). */
  realityPublicKey?: string;
  /** Certificate and key the panel generated for the stored inbound. */
  selfSignedFiles?: { certificatePath: string; keyPath: string };
  /** The stored inbound's edit version (edit form only): a change made meanwhile is a 409. */
  version?: string;
}

export interface InboundFormPageProps extends InboundFormProps {
  username: string;
  /** The stored inbound's traffic counters, for the reset section of the edit page. */
  traffic?: { uplink: number; downlink: number; resetAt: number | null };
}

const TYPE_LABELS: Record<InboundType, string> = {
  vless: "VLESS",
  vmess: "VMess",
  trojan: "Trojan",
  shadowsocks: "Shadowsocks 2022",
  hysteria2: "Hysteria2",
  tuic: "TUIC",
  mixed: "Mixed (SOCKS5 + HTTP)",
};

export function InboundFormPage(props: InboundFormPageProps) {
  const title = props.originalTag ? `Inbound ${props.originalTag}` : "New inbound";
  return (
    <Layout title={title} active="inbounds" csrfToken={props.csrfToken} username={props.username}>
      <p>
        <a href="/inbounds">← Inbounds</a>
      </p>
      <h1>{title}</h1>
      <section class="card">
        <InboundForm {...props} />
      </section>
      {props.originalTag && props.traffic && (
        <section class="card" id="inbound-traffic">
          <h2>Traffic</h2>
          <p>
            Uplink <Bytes value={props.traffic.uplink} /> · downlink{" "}
            <Bytes value={props.traffic.downlink} />
            {props.traffic.resetAt !== null && (
              <span class="muted">· counted since {formatTime(props.traffic.resetAt)} UTC</span>
            )}
          </p>
          <p class="muted">
            Resetting sets this inbound's totals to zero. Users' traffic is counted separately and
            does not change.
          </p>
          <form
            method="post"
            action={`/inbounds/${encodeURIComponent(props.originalTag)}/reset-traffic`}
            hx-post={`/inbounds/${encodeURIComponent(props.originalTag)}/reset-traffic`}
            hx-confirm={`Reset the traffic totals of inbound "${props.originalTag}" to zero?`}
          >
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="secondary">Reset traffic</button>
          </form>
        </section>
      )}
      {props.originalTag && (
        <section class="card">
          <h2>Delete</h2>
          <p class="muted">
            Deleting removes the inbound and its user assignments; users keep their traffic totals.
          </p>
          <form
            method="post"
            action={`/inbounds/${encodeURIComponent(props.originalTag)}/delete`}
            hx-post={`/inbounds/${encodeURIComponent(props.originalTag)}/delete`}
            hx-confirm={`Delete inbound "${props.originalTag}"?`}
          >
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="danger">Delete inbound</button>
          </form>
        </section>
      )}
    </Layout>
  );
}

/** The form itself: the fragment re-rendered (status 422) when htmx posts bad input. */
export function InboundForm(props: InboundFormProps) {
  const v = props.values;
  const e = props.errors;
  const editing = props.originalTag !== undefined;
  const action = editing ? `/inbounds/${encodeURIComponent(props.originalTag!)}` : "/inbounds";
  const type = v.type ?? "vless";
  return (
    <form
      id="inbound-form"
      method="post"
      action={action}
      hx-post={action}
      hx-target="this"
      hx-swap="outerHTML"
    >
      <CsrfField token={props.csrfToken} />
      {props.version && <input type="hidden" name="version" value={props.version} />}
      {props.notice && <p class="flash" role="status">{props.notice}</p>}
      {props.message && Object.keys(e).length === 0 && (
        <p class="flash error" role="alert">{props.message}</p>
      )}
      <ErrorSummary
        title="The inbound was not saved:"
        errors={e}
        labels={Object.fromEntries(Object.keys(e).map((key) => [key, label(key)]))}
      />
      <div class="grid">
        <label>
          Tag
          <TagInput value={v.tag} />
          <span class="hint">Letters, digits and . _ - (at most 48); it names the inbound</span>
          <FieldError error={e.tag} />
        </label>
        <label>
          Type
          {editing
            ? (
              <>
                <input type="hidden" name="type" value={type} />
                <input
                  id={fieldId("type")}
                  value={TYPE_LABELS[type as InboundType] ?? type}
                  disabled
                />
              </>
            )
            : (
              <select
                id={fieldId("type")}
                name="type"
                hx-get="/inbounds/form-fields"
                hx-target="#type-fields"
                hx-swap="outerHTML"
                hx-include="closest form"
              >
                {INBOUND_TYPES.map((t) => (
                  <option value={t} selected={t === type}>{TYPE_LABELS[t]}</option>
                ))}
              </select>
            )}
          <FieldError error={e.type} />
        </label>
        <label>
          Listen address
          <input id={fieldId("listen")} name="listen" value={v.listen} />
          <span class="hint">:: is every address (IPv4 and IPv6); 127.0.0.1 only this host</span>
          <FieldError error={e.listen} />
        </label>
        <label>
          Port
          <input
            id={fieldId("port")}
            name="port"
            value={v.port}
            inputmode="numeric"
            required
          />
          <span class="hint">1–65535; a free one is suggested</span>
          <FieldError error={e.port} />
        </label>
      </div>
      {!editing && (
        <noscript>
          <p class="muted">
            Fields for another type:
            <span class="actions">
              {INBOUND_TYPES.map((t) => <a href={`/inbounds/new?type=${t}`}>{t}</a>)}
            </span>
          </p>
        </noscript>
      )}
      <InboundTypeFields
        type={type}
        values={v}
        errors={e}
        realityPublicKey={props.realityPublicKey}
        selfSignedFiles={props.selfSignedFiles}
      />
      <InboundClientFields values={v} errors={e} />
      <label class="inline">
        <input type="checkbox" name="enabled" value="on" checked={v.enabled === "on"} />
        Enabled
      </label>
      <div class="actions">
        <button type="submit">{editing ? "Save" : "Create inbound"}</button>
        <a class="button secondary" href="/inbounds">Cancel</a>
      </div>
    </form>
  );
}

/** The tag field; swapped out of band when a new type changes the suggested tag. */
export function TagInput(props: { value?: string; oob?: boolean }) {
  return (
    <input
      id={fieldId("tag")}
      name="tag"
      value={props.value}
      required
      maxlength={48}
      autocomplete="off"
      hx-swap-oob={props.oob ? "true" : undefined}
    />
  );
}

export interface InboundTypeFieldsProps {
  type: string;
  values: InboundFormValues;
  errors: Record<string, string>;
  realityPublicKey?: string;
  selfSignedFiles?: { certificatePath: string; keyPath: string };
}

/**
 * Attributes that show an element only while the select `by` has one of `values`
 * (static/app.js); rendered hidden from the start when it has not.
 */
function shownFor(by: string, current: string | undefined, values: string[]) {
  return {
    "data-shown-by": fieldId(by),
    "data-show-for": values.join(" "),
    hidden: !values.includes(current ?? ""),
  };
}

/** The fields of one inbound type (swapped in by `GET /inbounds/form-fields`). */
export function InboundTypeFields(props: InboundTypeFieldsProps) {
  const { type, values: v, errors: e } = props;
  const tls = (modes: string[], legend: string, shown?: ReturnType<typeof shownFor>) => (
    <TlsFieldset
      modes={modes}
      legend={legend}
      values={v}
      errors={e}
      selfSignedFiles={props.selfSignedFiles}
      shown={shown}
    />
  );
  return (
    <div id="type-fields">
      {type === "vless" && (
        <>
          <div class="grid">
            <label>
              Security
              <Select
                name="security"
                id={fieldId("security")}
                value={v.security}
                options={[["none", "None"], ["tls", "TLS"], ["reality", "Reality"]]}
              />
              <span class="hint">Reality needs no certificate and looks like another site</span>
              <FieldError error={e.security} />
            </label>
            <label>
              Flow
              <Select
                name="flow"
                id={fieldId("flow")}
                value={v.flow}
                options={[["", "None"], ["xtls-rprx-vision", "xtls-rprx-vision"]]}
              />
              <FieldError error={e.flow} />
            </label>
          </div>
          {tls(["files", "self_signed"], "TLS", shownFor("security", v.security, ["tls"]))}
          <RealityFieldset
            values={v}
            errors={e}
            publicKey={props.realityPublicKey}
            shown={shownFor("security", v.security, ["reality"])}
          />
        </>
      )}
      {type === "vmess" && tls(["none", "files", "self_signed"], "TLS (optional)")}
      {(type === "trojan" || type === "hysteria2" || type === "tuic") &&
        tls(["files", "self_signed"], "TLS (required)")}
      {type === "shadowsocks" && (
        <label>
          Method
          <Select
            name="method"
            id={fieldId("method")}
            value={v.method}
            options={METHODS.map((m) => [m, m])}
          />
          <FieldError error={e.method} />
          <span class="hint">
            The panel generates the server key; changing the method generates a new one.
          </span>
        </label>
      )}
      {type === "mixed" && (
        <p class="muted">
          A mixed inbound serves SOCKS5 and HTTP proxies. Each user signs in with the user name{" "}
          <code>{`<user name>|${v.tag || "<tag>"}`}</code>{" "}
          (their name, a bar, this inbound's tag) and their password; their page and share links
          show it. It needs no further settings.
        </p>
      )}
      {!(INBOUND_TYPES as readonly string[]).includes(type) && (
        <p class="muted">Choose a type to see its settings.</p>
      )}
    </div>
  );
}

function TlsFieldset(props: {
  modes: string[];
  legend: string;
  values: InboundFormValues;
  errors: Record<string, string>;
  selfSignedFiles?: { certificatePath: string; keyPath: string };
  shown?: ReturnType<typeof shownFor>;
}) {
  const { values: v, errors: e } = props;
  const labels: Record<string, string> = {
    none: "No TLS",
    files: "Certificate files on this server",
    self_signed: "Self-signed (generated by the panel)",
  };
  const mode = v.tls_mode;
  return (
    <fieldset id="tls-fields" aria-invalid={e.tls ? "true" : undefined} {...props.shown}>
      <legend>{props.legend}</legend>
      <div class="grid">
        <label>
          Certificate
          <Select
            name="tls_mode"
            id={fieldId("tls.mode")}
            value={mode}
            options={props.modes.map((m) => [m, labels[m]])}
          />
          <FieldError error={e["tls.mode"] ?? e.tls} />
        </label>
        <label {...shownFor("tls.mode", mode, ["files", "self_signed"])}>
          Server name
          <input
            id={fieldId("tls.serverName")}
            name="tls_server_name"
            value={v.tls_server_name}
            maxlength={253}
          />
          <span class="hint">
            The domain clients connect to; self-signed without one: localhost
          </span>
          <FieldError error={e["tls.serverName"]} />
        </label>
      </div>
      <div class="grid" {...shownFor("tls.mode", mode, ["files"])}>
        <label>
          Certificate file
          <input
            id={fieldId("tls.certificatePath")}
            name="tls_certificate_path"
            value={v.tls_certificate_path}
            maxlength={1024}
          />
          <span class="hint">Absolute path of a PEM file, e.g. /etc/ssl/fullchain.pem</span>
          <FieldError error={e["tls.certificatePath"]} />
        </label>
        <label>
          Key file
          <input
            id={fieldId("tls.keyPath")}
            name="tls_key_path"
            value={v.tls_key_path}
            maxlength={1024}
          />
          <span class="hint">Absolute path of its PEM private key</span>
          <FieldError error={e["tls.keyPath"]} />
        </label>
      </div>
      {props.selfSignedFiles && (
        <p class="muted" {...shownFor("tls.mode", mode, ["self_signed"])}>
          Generated certificate: <code>{props.selfSignedFiles.certificatePath}</code>, key:{" "}
          <code>{props.selfSignedFiles.keyPath}</code>. Clients must allow an untrusted certificate.
        </p>
      )}
    </fieldset>
  );
}

function RealityFieldset(
  props: {
    values: InboundFormValues;
    errors: Record<string, string>;
    publicKey?: string;
    shown: ReturnType<typeof shownFor>;
  },
) {
  const { values: v, errors: e } = props;
  return (
    <fieldset id="reality-fields" {...props.shown}>
      <legend>Reality</legend>
      {e.reality && <p class="field-error" id={fieldId("reality")}>{e.reality}</p>}
      <div class="grid">
        <label>
          Handshake server
          <input
            id={fieldId("reality.handshakeServer")}
            name="reality_handshake_server"
            value={v.reality_handshake_server}
            maxlength={253}
          />
          <span class="hint">A real TLS 1.3 site the inbound borrows its handshake from</span>
          <FieldError error={e["reality.handshakeServer"]} />
        </label>
        <label>
          Handshake port
          <input
            id={fieldId("reality.handshakePort")}
            name="reality_handshake_port"
            value={v.reality_handshake_port}
            inputmode="numeric"
          />
          <FieldError error={e["reality.handshakePort"]} />
        </label>
        <label>
          Server name
          <input
            id={fieldId("reality.serverName")}
            name="reality_server_name"
            value={v.reality_server_name}
            maxlength={253}
          />
          <span class="hint">Empty: the same as the handshake server</span>
          <FieldError error={e["reality.serverName"]} />
        </label>
      </div>
      <label>
        Short ids
        <textarea id={fieldId("reality.shortIds")} name="reality_short_ids" rows={3}>
          {v.reality_short_ids}
        </textarea>
        <span class="hint">
          Hex, even length up to 16, one per line; empty: one is generated
        </span>
        <FieldError error={e["reality.shortIds"]} />
      </label>
      {props.publicKey && (
        <>
          <p>Public key (clients need it):</p>
          <p class="secret" id="reality-public-key">{props.publicKey}</p>
          <label class="inline">
            <input
              type="checkbox"
              name="reality_regenerate_keys"
              value="on"
              checked={v.reality_regenerate_keys === "on"}
            />
            Generate a new key pair (every client must update its subscription)
          </label>
        </>
      )}
    </fieldset>
  );
}

function Select(
  props: { name: string; id?: string; value?: string; options: Array<[string, string]> },
) {
  return (
    <select name={props.name} id={props.id}>
      {props.options.map(([value, text]) => (
        <option value={value} selected={value === (props.value ?? "")}>{text}</option>
      ))}
    </select>
  );
}

/** The Reality handshake server a new inbound suggests (a large site with TLS 1.3 and h2). */
export const SUGGESTED_REALITY_SERVER = "www.microsoft.com";

/**
 * Form values of a new inbound of `type`: every address, the suggested free `port` (if
 * any), a tag from type and port, Reality with a suggested handshake server, self-signed
 * TLS (vmess: none), the first Shadowsocks method.
 */
export function newInboundFormValues(type: string, port?: number | null): InboundFormValues {
  return {
    type,
    tag: port ? suggestedTag(type, port) : "",
    listen: "::",
    port: port ? String(port) : "",
    enabled: "on",
    security: "reality",
    flow: "",
    tls_mode: type === "vmess" ? "none" : "self_signed",
    reality_handshake_server: SUGGESTED_REALITY_SERVER,
    reality_handshake_port: "443",
    method: METHODS[0],
  };
}

/** The tag suggested for a new inbound: type and port, like `vless-24815`. */
export function suggestedTag(type: string, port: number | string): string {
  return `${type}-${port}`;
}

/** Whether `tag` is one the form suggested (type-port), so a new type may replace it. */
export function isSuggestedTag(tag: string, port: string): boolean {
  return INBOUND_TYPES.some((t) => tag === suggestedTag(t, port));
}

/** Form values of a stored inbound. */
export function inboundFormValues(inbound: Inbound): InboundFormValues {
  const s = inbound.settings;
  return {
    tag: inbound.tag,
    type: inbound.type,
    listen: inbound.listen,
    port: String(inbound.port),
    enabled: inbound.enabled ? "on" : "",
    security: s.reality ? "reality" : s.tls ? "tls" : "none",
    flow: s.flow ?? "",
    tls_mode: s.tls
      ? (s.tls.selfSigned ? "self_signed" : "files")
      : inbound.type === "vmess"
      ? "none"
      : "self_signed",
    tls_server_name: s.tls?.serverName ?? "",
    tls_certificate_path: s.tls && !s.tls.selfSigned ? s.tls.certificatePath : "",
    tls_key_path: s.tls && !s.tls.selfSigned ? s.tls.keyPath : "",
    reality_handshake_server: s.reality?.handshakeServer ?? "",
    reality_handshake_port: s.reality ? String(s.reality.handshakePort) : "",
    reality_server_name: s.reality?.serverName ?? "",
    reality_short_ids: s.reality?.shortIds.join("\n") ?? "",
    method: s.method ?? "",
    client_address: s.client?.address ?? "",
    client_server_name: s.client?.serverName ?? "",
  };
}

/** The string fields of a submitted form, to re-render it as entered. */
export function submittedFormValues(form: Record<string, unknown>): InboundFormValues {
  const values: InboundFormValues = {};
  for (const [key, value] of Object.entries(form)) {
    if (key !== "_csrf" && typeof value === "string") values[key] = value;
  }
  return values;
}
