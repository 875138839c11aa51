/** A full error page for non-htmx requests; logged in, it keeps the navigation. */
import { Layout, type LayoutSession } from "./layout.tsx";

export function ErrorPage(
  props: { status: number; message: string; session?: LayoutSession | null },
) {
  return (
    <Layout
      title={`Error ${props.status}`}
      csrfToken={props.session?.csrfToken}
      username={props.session?.username}
    >
      <section class="card narrow">
        <h1>Error {props.status}</h1>
        <p class="flash error" role="alert">{props.message}</p>
        <p>
          <a href="/">Back to the dashboard</a>
        </p>
      </section>
    </Layout>
  );
}
