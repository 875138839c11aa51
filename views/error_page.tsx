/** A full error page for non-htmx requests; logged in, it keeps the navigation. */
import type { Msg } from "../core/i18n/msg.ts";
import { useI18n } from "./i18n.ts";
import { Layout, type LayoutSession } from "./layout.tsx";

export function ErrorPage(
  props: { status: number; message: Msg; session?: LayoutSession | null },
) {
  const { t, text } = useI18n();
  const title = t.errorPage.title(props.status);
  return (
    <Layout
      title={title}
      csrfToken={props.session?.csrfToken}
      username={props.session?.username}
    >
      <section class="card narrow">
        <h1>{title}</h1>
        <p class="flash error" role="alert">{text(props.message)}</p>
        <p>
          <a href="/">{t.errorPage.back}</a>
        </p>
      </section>
    </Layout>
  );
}

/** An error as an htmx fragment: the toast (static/app.js) shows its text. */
export function ErrorFlash(props: { message: Msg }) {
  const { text } = useI18n();
  return <div class="flash error" role="alert">{text(props.message)}</div>;
}
