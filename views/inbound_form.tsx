/**
 * The inbound form (new and edit). Field names are the form's; errors are keyed like the
 * API's (`tag`, `tls.serverName`, `reality.shortIds`, ...). The type-specific part is its
 * own fragment so the type select can swap it in with htmx; without JS it still posts.
 */
import { Bytes, CsrfField, ErrorSummary, FieldError, fieldId, Layout, Time } from "./layout.tsx";
import { isolated, useI18n } from "./i18n.ts";
import type { Msg } from "../core/i18n/msg.ts";
import { InboundClientFields } from "./inbound_client_fields.tsx";
import { inboundTypeName } from "./inbound_type.tsx";
import { type Inbound, INBOUND_TYPES, SHADOWSOCKS_METHODS } from "../core/model.ts";

const METHODS = Object.keys(SHADOWSOCKS_METHODS);

/** Submitted or stored form values by field name (checkboxes are "on" when checked). */
export type InboundFormValues = Record<string, string>;

export interface InboundFormProps {
  /** The stored tag when editing; absent for a new inbound. */
  originalTag?: string;
  values: InboundFormValues;
  errors: Record<string, Msg>;
  /** Summary of what went wrong, shown above the fields. */
  message?: Msg;
  /** A notice after saving. */
  notice?: "created" | "saved" | "reset";
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

export function InboundFormPage(props: InboundFormPageProps) {
  const { t } = useI18n();
  const h = t.inboundForm;
  const title = props.originalTag ? h.title(isolated(props.originalTag)) : t.inbounds.new;
  return (
    <Layout title={title} active="inbounds" csrfToken={props.csrfToken} username={props.username}>
      <p>
        <a href="/inbounds">{h.back}</a>
      </p>
      <h1>{title}</h1>
      <section class="card">
        <InboundForm {...props} />
      </section>
      {props.originalTag && props.traffic && (
        <section class="card" id="inbound-traffic">
          <h2>{h.traffic}</h2>
          <p>
            {t.traffic.uplink} <Bytes value={props.traffic.uplink} /> · {t.traffic.downlink}{" "}
            <Bytes value={props.traffic.downlink} />
            {props.traffic.resetAt !== null && (
              <span class="muted">
                · {h.countedSince} <Time at={props.traffic.resetAt} />
              </span>
            )}
          </p>
          <p class="muted">{h.resetExplained}</p>
          <form
            method="post"
            action={`/inbounds/${encodeURIComponent(props.originalTag)}/reset-traffic`}
            hx-post={`/inbounds/${encodeURIComponent(props.originalTag)}/reset-traffic`}
            hx-confirm={h.resetConfirm(props.originalTag)}
          >
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="secondary">{h.resetTraffic}</button>
          </form>
        </section>
      )}
      {props.originalTag && (
        <section class="card">
          <h2>{t.common.delete}</h2>
          <p class="muted">{h.deleteExplained}</p>
          <form
            method="post"
            action={`/inbounds/${encodeURIComponent(props.originalTag)}/delete`}
            hx-post={`/inbounds/${encodeURIComponent(props.originalTag)}/delete`}
            hx-confirm={h.deleteConfirm(props.originalTag)}
          >
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="danger">{h.delete}</button>
          </form>
        </section>
      )}
    </Layout>
  );
}

/** The form itself: the fragment re-rendered (status 422) when htmx posts bad input. */
export function InboundForm(props: InboundFormProps) {
  const { t, text } = useI18n();
  const h = t.inboundForm;
  const l = t.inboundFields;
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
      {props.notice && <p class="flash" role="status">{h.notices[props.notice]}</p>}
      {props.message && Object.keys(e).length === 0 && (
        <p class="flash error" role="alert">{text(props.message)}</p>
      )}
      <ErrorSummary title={h.notSaved} errors={e} labels={l} />
      <div class="grid">
        <label>
          {l.tag}
          <TagInput value={v.tag} />
          <span class="hint">{h.tagHint}</span>
          <FieldError error={e.tag} />
        </label>
        <label>
          {l.type}
          {editing
            ? (
              <>
                <input type="hidden" name="type" value={type} />
                <input
                  id={fieldId("type")}
                  value={inboundTypeName(type, t)}
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
                {INBOUND_TYPES.map((kind) => (
                  <option value={kind} selected={kind === type}>{inboundTypeName(kind, t)}</option>
                ))}
              </select>
            )}
          <FieldError error={e.type} />
        </label>
        <label>
          {l.listen}
          <input id={fieldId("listen")} name="listen" value={v.listen} dir="ltr" />
          <span class="hint">{h.listenHint}</span>
          <FieldError error={e.listen} />
        </label>
        <label>
          {l.port}
          <input
            id={fieldId("port")}
            name="port"
            value={v.port}
            inputmode="numeric"
            required
            dir="ltr"
          />
          <span class="hint">{h.portHint}</span>
          <FieldError error={e.port} />
        </label>
      </div>
      {!editing && (
        <noscript>
          <p class="muted">
            {h.otherTypes}
            <span class="actions">
              {INBOUND_TYPES.map((kind) => (
                <a href={`/inbounds/new?type=${kind}`}>{inboundTypeName(kind, t)}</a>
              ))}
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
        {l.enabled}
      </label>
      <div class="actions">
        <button type="submit">{editing ? t.common.save : h.create}</button>
        <a class="button secondary" href="/inbounds">{t.common.cancel}</a>
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
      dir="ltr"
      hx-swap-oob={props.oob ? "true" : undefined}
    />
  );
}

export interface InboundTypeFieldsProps {
  type: string;
  values: InboundFormValues;
  errors: Record<string, Msg>;
  realityPublicKey?: string;
  selfSignedFiles?: { certificatePath: string; keyPath: string };
  /** A new tag to swap into the form out of band (the suggested tag follows a new type). */
  retag?: string;
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
  return (
    <>
      <TypeFields {...props} />
      {props.retag && <TagInput value={props.retag} oob />}
    </>
  );
}

function TypeFields(props: InboundTypeFieldsProps) {
  const { t } = useI18n();
  const h = t.inboundForm;
  const l = t.inboundFields;
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
              {l.security}
              <Select
                name="security"
                id={fieldId("security")}
                value={v.security}
                options={[["none", h.none], ["tls", "TLS"], ["reality", "Reality"]]}
              />
              <span class="hint">{h.securityHint}</span>
              <FieldError error={e.security} />
            </label>
            <label>
              {l.flow}
              <Select
                name="flow"
                id={fieldId("flow")}
                value={v.flow}
                options={[["", h.none], ["xtls-rprx-vision", "xtls-rprx-vision"]]}
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
      {type === "vmess" && tls(["none", "files", "self_signed"], h.tlsOptional)}
      {(type === "trojan" || type === "hysteria2" || type === "tuic") &&
        tls(["files", "self_signed"], h.tlsRequired)}
      {type === "shadowsocks" && (
        <label>
          {l.method}
          <Select
            name="method"
            id={fieldId("method")}
            value={v.method}
            options={METHODS.map((m) => [m, m])}
          />
          <FieldError error={e.method} />
          <span class="hint">{h.methodHint}</span>
        </label>
      )}
      {type === "mixed" && (
        <p class="muted">
          {h.mixedServes} <code>{`<${h.mixedUser}>|${v.tag || `<${h.mixedTag}>`}`}</code>{" "}
          {h.mixedExplained}
        </p>
      )}
      {!(INBOUND_TYPES as readonly string[]).includes(type) && <p class="muted">{h.chooseType}</p>}
    </div>
  );
}

function TlsFieldset(props: {
  modes: string[];
  legend: string;
  values: InboundFormValues;
  errors: Record<string, Msg>;
  selfSignedFiles?: { certificatePath: string; keyPath: string };
  shown?: ReturnType<typeof shownFor>;
}) {
  const { t } = useI18n();
  const h = t.inboundForm;
  const { values: v, errors: e } = props;
  const labels: Record<string, string> = h.tlsModes;
  const mode = v.tls_mode;
  return (
    <fieldset id="tls-fields" aria-invalid={e.tls ? "true" : undefined} {...props.shown}>
      <legend>{props.legend}</legend>
      <div class="grid">
        <label>
          {h.certificate}
          <Select
            name="tls_mode"
            id={fieldId("tls.mode")}
            value={mode}
            options={props.modes.map((m) => [m, labels[m]])}
          />
          <FieldError error={e["tls.mode"] ?? e.tls} />
        </label>
        <label {...shownFor("tls.mode", mode, ["files", "self_signed"])}>
          {h.serverName}
          <input
            id={fieldId("tls.serverName")}
            name="tls_server_name"
            value={v.tls_server_name}
            maxlength={253}
            dir="ltr"
          />
          <span class="hint">{h.serverNameHint}</span>
          <FieldError error={e["tls.serverName"]} />
        </label>
      </div>
      <div class="grid" {...shownFor("tls.mode", mode, ["files"])}>
        <label>
          {h.certificateFile}
          <input
            id={fieldId("tls.certificatePath")}
            name="tls_certificate_path"
            value={v.tls_certificate_path}
            maxlength={1024}
            dir="ltr"
          />
          <span class="hint">{h.certificateFileHint} /etc/ssl/fullchain.pem</span>
          <FieldError error={e["tls.certificatePath"]} />
        </label>
        <label>
          {h.keyFile}
          <input
            id={fieldId("tls.keyPath")}
            name="tls_key_path"
            value={v.tls_key_path}
            maxlength={1024}
            dir="ltr"
          />
          <span class="hint">{h.keyFileHint}</span>
          <FieldError error={e["tls.keyPath"]} />
        </label>
      </div>
      {props.selfSignedFiles && (
        <p class="muted" {...shownFor("tls.mode", mode, ["self_signed"])}>
          {h.generatedCertificate} <code>{props.selfSignedFiles.certificatePath}</code>
          <br />
          {h.generatedKey} <code>{props.selfSignedFiles.keyPath}</code>
          <br />
          {h.untrusted}
        </p>
      )}
    </fieldset>
  );
}

function RealityFieldset(
  props: {
    values: InboundFormValues;
    errors: Record<string, Msg>;
    publicKey?: string;
    shown: ReturnType<typeof shownFor>;
  },
) {
  const { t, text } = useI18n();
  const h = t.inboundForm;
  const l = t.inboundFields;
  const { values: v, errors: e } = props;
  return (
    <fieldset id="reality-fields" {...props.shown}>
      <legend>Reality</legend>
      {e.reality && <p class="field-error" id={fieldId("reality")}>{text(e.reality)}</p>}
      <div class="grid">
        <label>
          {l["reality.handshakeServer"]}
          <input
            id={fieldId("reality.handshakeServer")}
            name="reality_handshake_server"
            value={v.reality_handshake_server}
            maxlength={253}
            dir="ltr"
          />
          <span class="hint">{h.handshakeServerHint}</span>
          <FieldError error={e["reality.handshakeServer"]} />
        </label>
        <label>
          {l["reality.handshakePort"]}
          <input
            id={fieldId("reality.handshakePort")}
            name="reality_handshake_port"
            value={v.reality_handshake_port}
            inputmode="numeric"
            dir="ltr"
          />
          <FieldError error={e["reality.handshakePort"]} />
        </label>
        <label>
          {h.serverName}
          <input
            id={fieldId("reality.serverName")}
            name="reality_server_name"
            value={v.reality_server_name}
            maxlength={253}
            dir="ltr"
          />
          <span class="hint">{h.realityServerNameHint}</span>
          <FieldError error={e["reality.serverName"]} />
        </label>
      </div>
      <label>
        {l["reality.shortIds"]}
        <textarea id={fieldId("reality.shortIds")} name="reality_short_ids" rows={3} dir="ltr">
          {v.reality_short_ids}
        </textarea>
        <span class="hint">{h.shortIdsHint}</span>
        <FieldError error={e["reality.shortIds"]} />
      </label>
      {props.publicKey && (
        <>
          <p>{h.publicKey}</p>
          <p class="secret" id="reality-public-key">{props.publicKey}</p>
          <label class="inline">
            <input
              type="checkbox"
              name="reality_regenerate_keys"
              value="on"
              checked={v.reality_regenerate_keys === "on"}
            />
            {h.regenerateKeys}
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
