/** A table of uplink and downlink per thing (outbound, inbound): a name and two byte counts. */
import type { Child } from "hono/jsx";
import { Bytes } from "./layout.tsx";
import { useI18n } from "./i18n.ts";

export interface TrafficRow {
  /** The row's id, so a refresh morphs each row into itself. */
  id: string;
  label: Child;
  uplink: number;
  downlink: number;
}

export function TrafficTable(
  props: { id?: string; heading: string; rows: TrafficRow[]; empty: string },
) {
  const { t } = useI18n();
  return (
    <div class="table-wrap">
      <table {...(props.id ? { id: props.id } : {})}>
        <thead>
          <tr>
            <th>{props.heading}</th>
            <th class="num">{t.traffic.uplink}</th>
            <th class="num">{t.traffic.downlink}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 && (
            <tr>
              <td colspan={3} class="muted">{props.empty}</td>
            </tr>
          )}
          {props.rows.map((row) => (
            <tr id={row.id}>
              <td>{row.label}</td>
              <td class="num">
                <Bytes value={row.uplink} />
              </td>
              <td class="num">
                <Bytes value={row.downlink} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
