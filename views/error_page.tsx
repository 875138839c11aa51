/** A full error page for non-htmx requests. */
import { Layout } from "./layout.tsx";

export function ErrorPage(props: { status: number; message: string }) {
  return (
    <Layout title={`Error ${props.status}`}>
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
