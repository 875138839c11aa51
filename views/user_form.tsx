/** The user form (create and edit) and the new-user page. */
import { RESET_STRATEGIES, type User } from "../core/model.ts";
import { bytesInUnit } from "../core/format.ts";
import type { Msg } from "../core/i18n/msg.ts";
import { dateInputValue, QUOTA_UNITS, USER_NOTE_MAX } from "../core/users/user_fields.ts";
import { type FormFields, formList, formString } from "../core/users/user_input.ts";
import { CsrfField, ErrorSummary, FieldError, fieldId, Layout } from "./layout.tsx";
import { useI18n } from "./i18n.ts";

/** The form's fields as text, as typed or as stored. */
export interface UserFormValues {
  name: string;
  /** The quota as a number in `trafficLimitUnit`; "0" is unlimited. */
  trafficLimit: string;
  trafficLimitUnit: string;
  expiresOn: string;
  enabled: boolean;
  resetStrategy: string;
  note: string;
  inbounds: string[];
}

/** An inbound the user can be assigned to. */
export interface InboundChoice {
  tag: string;
  enabled: boolean;
}

/** A new user: unlimited, never expiring, on every enabled inbound. */
export function newUserFormValues(inbounds: InboundChoice[]): UserFormValues {
  return {
    name: "",
    trafficLimit: "0",
    trafficLimitUnit: "GB",
    expiresOn: "",
    enabled: true,
    resetStrategy: "none",
    note: "",
    inbounds: inbounds.filter((i) => i.enabled).map((i) => i.tag),
  };
}

/** The form filled from a stored user and their inbound tags; the quota in its own unit. */
export function userFormValues(user: User & { inbounds: string[] }): UserFormValues {
  const [limit, unit] = bytesInUnit(user.trafficLimit);
  return {
    name: user.name,
    trafficLimit: limit,
    trafficLimitUnit: unit,
    expiresOn: dateInputValue(user.expiresAt),
    enabled: user.enabled,
    resetStrategy: user.resetStrategy,
    note: user.note,
    inbounds: user.inbounds,
  };
}

/** The form filled back with what was submitted, to re-render it with errors. */
export function submittedFormValues(form: FormFields): UserFormValues {
  const text = (key: string) => formString(form, key);
  const enabled = text("enabled");
  return {
    name: text("name"),
    trafficLimit: text("trafficLimit"),
    trafficLimitUnit: text("trafficLimitUnit") || "GB",
    expiresOn: text("expiresOn"),
    enabled: enabled !== "" && !["0", "false", "off"].includes(enabled),
    resetStrategy: text("resetStrategy"),
    note: text("note"),
    inbounds: formList(form, "inbounds"),
  };
}

/** The expiry's distance from now, next to the date field ("in 12 days", "3 days ago"). */
export function ExpiryHint(props: { expiresAt: number | null; now: number }) {
  const { t, f } = useI18n();
  if (props.expiresAt === null) return <>{t.userForm.neverExpires}</>;
  return <>{f.relative(props.expiresAt, props.now)}</>;
}

/** Why the typed expiry is not a date, in place of the hint. */
export function ExpiryHintError(props: { error: Msg }) {
  const { text } = useI18n();
  return <>{text(props.error)}</>;
}

export interface UserFormProps {
  /** Where the form posts: `/users` or the user's URL. */
  action: string;
  csrfToken: string;
  values: UserFormValues;
  errors: Record<string, Msg>;
  /** Every inbound, the assignment choices. */
  inbounds: InboundChoice[];
  /** Creating a user or saving changes to one: the submit button's words. */
  submit: "create" | "save";
  /** Where Cancel leads. */
  cancelUrl: string;
  /** The stored or entered expiry, for the hint; null for never. */
  expiresAt: number | null;
  now: number;
  /** The stored user's edit version (edit form only): a change made meanwhile is a 409. */
  version?: string;
}

/**
 * The form posts with htmx and swaps itself with the server's re-render on 422; a plain
 * POST (no script) gets the whole page back.
 */
export function UserForm(props: UserFormProps) {
  const { t, f } = useI18n();
  const u = t.userForm;
  const { values, errors } = props;
  const known = new Set(props.inbounds.map((i) => i.tag));
  const choices = [
    ...props.inbounds,
    ...values.inbounds.filter((tag) => !known.has(tag)).map((tag) => ({ tag, enabled: false })),
  ];
  const invalid = (key: string) => errors[key] ? "true" : undefined;
  return (
    <form
      id="user-form"
      method="post"
      action={props.action}
      hx-post={props.action}
      hx-target="this"
      hx-swap="outerHTML"
    >
      <CsrfField token={props.csrfToken} />
      {props.version && <input type="hidden" name="version" value={props.version} />}
      <ErrorSummary
        title={u.notSaved}
        errors={errors}
        labels={u.fields}
        ids={{ inbounds: "field-inbounds-all" }}
      />
      <label>
        {u.fields.name}
        <input
          id={fieldId("name")}
          name="name"
          value={values.name}
          required
          maxlength={48}
          autocomplete="off"
          aria-invalid={invalid("name")}
          dir="ltr"
        />
        <span class="hint">{u.nameHint}</span>
        <FieldError error={errors.name} />
      </label>
      <div class="field">
        <label for={fieldId("trafficLimit")}>{u.fields.trafficLimit}</label>
        <div class="input-group">
          <input
            id={fieldId("trafficLimit")}
            name="trafficLimit"
            inputmode="decimal"
            value={values.trafficLimit}
            aria-invalid={invalid("trafficLimit")}
            aria-describedby="traffic-limit-hint"
            dir="ltr"
          />
          <select name="trafficLimitUnit" aria-label={u.limitUnit}>
            {QUOTA_UNITS.map((unit) => (
              <option value={unit} selected={values.trafficLimitUnit === unit}>
                {f.byteUnit(unit)}
              </option>
            ))}
          </select>
        </div>
        <span class="hint" id="traffic-limit-hint">
          {u.limitHint(f.byteUnit("GB"), f.byteUnit("MB"))}
        </span>
        <FieldError error={errors.trafficLimit} />
      </div>
      <div class="field">
        <label for={fieldId("expiresAt")}>{u.expiresAfter}</label>
        <input
          id={fieldId("expiresAt")}
          name="expiresOn"
          type="date"
          value={values.expiresOn}
          aria-invalid={invalid("expiresAt")}
          aria-describedby="expiry-hint"
          hx-get="/users/new/expiry-hint"
          hx-trigger="change"
          hx-target="#expiry-hint"
          hx-swap="innerHTML"
        />
        <span class="hint" id="expiry-hint" aria-live="polite">
          <ExpiryHint expiresAt={props.expiresAt} now={props.now} />
        </span>
        <div class="shortcuts" role="group" aria-label={u.expiryShortcuts}>
          {[7, 30, 90].map((days) => (
            <button
              type="button"
              class="secondary small"
              data-expiry-days={String(days)}
              data-expiry-for={fieldId("expiresAt")}
            >
              {u.plusDays(days)}
            </button>
          ))}
          <button
            type="button"
            class="secondary small"
            data-expiry-days=""
            data-expiry-for={fieldId("expiresAt")}
          >
            {u.never}
          </button>
        </div>
        <FieldError error={errors.expiresAt} />
      </div>
      <label>
        {u.fields.resetStrategy}
        <select
          id={fieldId("resetStrategy")}
          name="resetStrategy"
          aria-invalid={invalid("resetStrategy")}
        >
          {RESET_STRATEGIES.map((s) => (
            <option value={s} selected={values.resetStrategy === s}>{u.resets[s]}</option>
          ))}
        </select>
        <FieldError error={errors.resetStrategy} />
      </label>
      <fieldset id="field-inbounds" aria-invalid={invalid("inbounds")}>
        <legend>{u.fields.inbounds}</legend>
        {choices.length === 0
          ? (
            <p class="muted">
              {u.noInboundsYet} <a href="/inbounds/new">{u.createInbound}</a>
            </p>
          )
          : (
            <>
              <label class="inline">
                <input type="checkbox" id="field-inbounds-all" data-check-all="inbounds" />
                <strong>{t.common.all}</strong>
              </label>
              <div class="checkbox-list">
                {choices.map((choice) => (
                  <label class="inline">
                    <input
                      type="checkbox"
                      name="inbounds"
                      value={choice.tag}
                      checked={values.inbounds.includes(choice.tag)}
                    />
                    <span class="truncate" title={choice.tag}>{choice.tag}</span>
                    {!known.has(choice.tag)
                      ? <span class="muted">{u.inboundGone}</span>
                      : !choice.enabled && <span class="muted">{u.inboundDisabled}</span>}
                  </label>
                ))}
              </div>
            </>
          )}
        <FieldError error={errors.inbounds} />
      </fieldset>
      <label>
        {u.fields.note}
        <textarea
          id={fieldId("note")}
          name="note"
          rows={3}
          maxlength={USER_NOTE_MAX}
          aria-invalid={invalid("note")}
          dir="auto"
        >
          {values.note}
        </textarea>
        <FieldError error={errors.note} />
      </label>
      <label class="inline">
        <input
          type="checkbox"
          id={fieldId("enabled")}
          name="enabled"
          value="1"
          checked={values.enabled}
        />{" "}
        {u.fields.enabled}
      </label>
      <FieldError error={errors.enabled} />
      <p class="actions">
        <button type="submit">{props.submit === "create" ? u.create : u.saveChanges}</button>
        <a class="button secondary" href={props.cancelUrl}>{t.common.cancel}</a>
      </p>
    </form>
  );
}

export interface NewUserPageProps {
  csrfToken: string;
  username: string;
  form: Omit<UserFormProps, "action" | "csrfToken" | "submit" | "cancelUrl">;
}

export function NewUserPage(props: NewUserPageProps) {
  const { t } = useI18n();
  return (
    <Layout
      title={t.users.add}
      active="users"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <p>
        <a href="/users">{t.users.back}</a>
      </p>
      <h1>{t.users.add}</h1>
      <section class="card">
        <UserForm
          action="/users"
          csrfToken={props.csrfToken}
          submit="create"
          cancelUrl="/users"
          {...props.form}
        />
      </section>
    </Layout>
  );
}
