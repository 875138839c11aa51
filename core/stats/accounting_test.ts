import { assertEquals } from "@std/assert";
import {
  computeStatsDeltas,
  replaceInboundTargets,
  type StatCursor,
  type StatTargets,
  UPTIME_CURSOR,
} from "./accounting.ts";
import { counterName } from "./stats_names.ts";

const targets: StatTargets = {
  pairs: new Map([
    ["alice|vless-in", { userId: 1, inboundId: 10 }],
    ["alice|trojan-in", { userId: 1, inboundId: 11 }],
    ["bob|vless-in", { userId: 2, inboundId: 10 }],
  ]),
  inbounds: new Map([["vless-in", 10], ["trojan-in", 11]]),
};

const up = (kind: "user" | "inbound" | "outbound", name: string) =>
  counterName(kind, name, "uplink");
const down = (kind: "user" | "inbound" | "outbound", name: string) =>
  counterName(kind, name, "downlink");

function cursors(entries: Array<[string, number, number]>): Map<string, StatCursor> {
  return new Map(entries.map(([name, runId, value]) => [name, { runId, value }]));
}

interface Case {
  name: string;
  counters: Array<[string, number]>;
  uptime: number;
  runId: number;
  cursors: Array<[string, number, number]>;
  resetDetected?: boolean;
  users?: Array<[number, number, number]>;
  pairs?: Array<[string, number, number]>;
  inbounds?: Array<[number, number, number]>;
  outbounds?: Array<[string, number, number]>;
  unknown?: number;
  externalResets?: number;
  cursorsWritten?: Array<[string, number, number]>;
}

const cases: Case[] = [
  {
    name: "first poll of a new run counts every counter's full value",
    counters: [
      [up("user", "alice|vless-in"), 100],
      [down("user", "alice|vless-in"), 900],
      [
        up("inbound", "vless-in"),
        100,
      ],
      [down("inbound", "vless-in"), 900],
      [down("outbound", "direct"), 880],
    ],
    uptime: 5,
    runId: 2,
    cursors: [[up("user", "alice|vless-in"), 1, 5000], [UPTIME_CURSOR, 1, 999]],
    users: [[1, 100, 900]],
    pairs: [["1:10", 100, 900]],
    inbounds: [[10, 100, 900]],
    outbounds: [["direct", 0, 880]],
    cursorsWritten: [
      [up("user", "alice|vless-in"), 2, 100],
      [down("user", "alice|vless-in"), 2, 900],
      [up("inbound", "vless-in"), 2, 100],
      [down("inbound", "vless-in"), 2, 900],
      [down("outbound", "direct"), 2, 880],
      [UPTIME_CURSOR, 2, 5],
    ],
  },
  {
    name: "steady growth counts only the difference",
    counters: [[up("user", "alice|vless-in"), 150], [down("user", "alice|vless-in"), 900], [
      up("user", "alice|trojan-in"),
      40,
    ]],
    uptime: 15,
    runId: 2,
    cursors: [[up("user", "alice|vless-in"), 2, 100], [down("user", "alice|vless-in"), 2, 900], [
      up("user", "alice|trojan-in"),
      2,
      10,
    ], [UPTIME_CURSOR, 2, 5]],
    users: [[1, 80, 0]],
    pairs: [["1:10", 50, 0], ["1:11", 30, 0]],
    cursorsWritten: [
      [up("user", "alice|vless-in"), 2, 150],
      [up("user", "alice|trojan-in"), 2, 40],
      [UPTIME_CURSOR, 2, 15],
    ],
  },
  {
    name: "a counter that went down while the uptime went on was reset from outside",
    counters: [[up("user", "alice|vless-in"), 20], [down("user", "alice|vless-in"), 5000]],
    uptime: 30,
    runId: 2,
    cursors: [[up("user", "alice|vless-in"), 2, 100], [down("user", "alice|vless-in"), 2, 900], [
      UPTIME_CURSOR,
      2,
      20,
    ]],
    users: [[1, 20, 4100]],
    pairs: [["1:10", 20, 4100]],
    externalResets: 1,
    cursorsWritten: [
      [up("user", "alice|vless-in"), 2, 20],
      [down("user", "alice|vless-in"), 2, 5000],
      [UPTIME_CURSOR, 2, 30],
    ],
  },
  {
    name: "a counter that went down with no uptime of this run means the core restarted unseen",
    counters: [[up("user", "alice|vless-in"), 20]],
    uptime: 30,
    runId: 2,
    cursors: [[up("user", "alice|vless-in"), 2, 100], [UPTIME_CURSOR, 1, 20]],
    resetDetected: true,
  },
  {
    name: "uptime that went backwards within a run means the core restarted unseen",
    counters: [[up("user", "alice|vless-in"), 200]],
    uptime: 3,
    runId: 2,
    cursors: [[up("user", "alice|vless-in"), 2, 100], [UPTIME_CURSOR, 2, 600]],
    resetDetected: true,
  },
  {
    name: "after a panel restart the persisted cursors make the poll a normal delta",
    counters: [[down("user", "bob|vless-in"), 7000], [down("inbound", "vless-in"), 7100]],
    uptime: 700,
    runId: 5,
    cursors: [[down("user", "bob|vless-in"), 5, 6000], [down("inbound", "vless-in"), 5, 6050], [
      UPTIME_CURSOR,
      5,
      690,
    ]],
    users: [[2, 0, 1000]],
    pairs: [["2:10", 0, 1000]],
    inbounds: [[10, 0, 1050]],
    cursorsWritten: [[down("user", "bob|vless-in"), 5, 7000], [
      down("inbound", "vless-in"),
      5,
      7100,
    ], [
      UPTIME_CURSOR,
      5,
      700,
    ]],
  },
  {
    name: "unknown names are skipped and counted, their cursors still advance",
    counters: [[up("user", "carol|vless-in"), 300], [down("inbound", "gone-in"), 50], [
      "weird>>>name",
      7,
    ], [
      up("user", "alice|vless-in"),
      10,
    ]],
    uptime: 1,
    runId: 3,
    cursors: [],
    users: [[1, 10, 0]],
    pairs: [["1:10", 10, 0]],
    unknown: 3,
    cursorsWritten: [
      [up("user", "carol|vless-in"), 3, 300],
      [down("inbound", "gone-in"), 3, 50],
      ["weird>>>name", 3, 7],
      [up("user", "alice|vless-in"), 3, 10],
      [UPTIME_CURSOR, 3, 1],
    ],
  },
  {
    name: "unchanged counters write nothing but the uptime",
    counters: [[up("user", "alice|vless-in"), 100], [up("user", "bob|vless-in"), 0]],
    uptime: 40,
    runId: 2,
    cursors: [[up("user", "alice|vless-in"), 2, 100], [UPTIME_CURSOR, 2, 30]],
    cursorsWritten: [[UPTIME_CURSOR, 2, 40]],
  },
];

for (const c of cases) {
  Deno.test(`computeStatsDeltas() ${c.name}`, () => {
    const result = computeStatsDeltas({
      counters: new Map(c.counters),
      uptime: c.uptime,
      runId: c.runId,
      cursors: cursors(c.cursors),
      targets,
    });
    assertEquals(result.resetDetected, c.resetDetected ?? false);
    if (c.resetDetected) {
      assertEquals(result.deltas.cursors.size, 0, "a detected reset applies nothing");
      return;
    }
    const traffic = <K>(m: Map<K, { uplink: number; downlink: number }>) =>
      [...m].map(([k, t]) => [k, t.uplink, t.downlink]);
    assertEquals(traffic(result.deltas.users), c.users ?? []);
    assertEquals(traffic(result.deltas.pairs), c.pairs ?? []);
    assertEquals(traffic(result.deltas.inbounds), c.inbounds ?? []);
    assertEquals(traffic(result.deltas.outbounds), c.outbounds ?? []);
    assertEquals(result.unknown, c.unknown ?? 0);
    assertEquals(result.externalResets, c.externalResets ?? 0);
    assertEquals(
      [...result.deltas.cursors].map(([k, v]) => [k, v.runId, v.value]),
      c.cursorsWritten ?? [],
    );
  });
}

Deno.test("computeStatsDeltas() recomputed under a new run counts full values once", () => {
  const input = {
    counters: new Map([[up("user", "alice|vless-in"), 20]]),
    uptime: 3,
    runId: 2,
    cursors: cursors([[up("user", "alice|vless-in"), 2, 100], [UPTIME_CURSOR, 2, 600]]),
    targets,
  };
  assertEquals(computeStatsDeltas(input).resetDetected, true);
  const again = computeStatsDeltas({ ...input, runId: 3 });
  assertEquals(again.resetDetected, false);
  assertEquals(again.deltas.users.get(1), { uplink: 20, downlink: 0 });
});

Deno.test("replaceInboundTargets() keeps a resolved index in step with the pairs", () => {
  const t: StatTargets = {
    pairs: new Map([
      ["alice|vless-in", { userId: 1, inboundId: 10 }],
      ["bob|vless-in", { userId: 2, inboundId: 10 }],
      ["alice|trojan-in", { userId: 1, inboundId: 11 }],
    ]),
    inbounds: new Map([["vless-in", 10], ["trojan-in", 11]]),
  };
  const poll = (counters: Array<[string, number]>, uptime: number) =>
    computeStatsDeltas({
      counters: new Map(counters),
      uptime,
      runId: 1,
      cursors: new Map(),
      targets: t,
    });
  assertEquals(poll([[up("user", "bob|vless-in"), 5]], 1).deltas.users.get(2)?.uplink, 5);
  // bob leaves vless-in, carol joins; the index was built by the poll above.
  replaceInboundTargets(
    t,
    10,
    "vless-in",
    new Map([
      ["alice|vless-in", { userId: 1, inboundId: 10 }],
      ["carol|vless-in", { userId: 3, inboundId: 10 }],
    ]),
  );
  const after = poll([[up("user", "bob|vless-in"), 5], [up("user", "carol|vless-in"), 7]], 2);
  assertEquals(after.deltas.users.get(2), undefined, "bob is no longer counted");
  assertEquals(after.deltas.users.get(3)?.uplink, 7, "carol is");
  assertEquals(after.unknown, 1);
  assertEquals(t.pairs.get("alice|trojan-in")?.inboundId, 11, "other inbounds untouched");
  // The inbound is renamed, then removed.
  replaceInboundTargets(
    t,
    11,
    "trojan-new",
    new Map([["alice|trojan-new", { userId: 1, inboundId: 11 }]]),
  );
  assertEquals([...t.inbounds.keys()].sort(), ["trojan-new", "vless-in"]);
  assertEquals(poll([[up("inbound", "trojan-new"), 9]], 3).deltas.inbounds.get(11)?.uplink, 9);
  replaceInboundTargets(t, 11, null, new Map());
  assertEquals(poll([[up("inbound", "trojan-new"), 9]], 4).unknown, 1);
});
