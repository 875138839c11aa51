/**
 * A fake sing-box StatsService for benchmarks: serves whatever counters the caller
 * holds, on a random loopback port.
 */
import { createServer, type ServiceDefinition } from "nice-grpc";
import {
  GetStatsRequest,
  GetStatsResponse,
  QueryStatsRequest,
  StatsServiceDefinition,
  SysStatsRequest,
  SysStatsResponse,
} from "../proto/stats.ts";

/** A running fake StatsService. */
export interface FakeStatsServer {
  /** host:port to give to `StatsClient`. */
  address: string;
  close(): Promise<void>;
}

type CounterResponse = Map<string, bigint>;

/**
 * The generated service, except that QueryStats answers with the counter map itself and
 * encodes it straight to protobuf bytes. The generic path copies every counter into a
 * Stat object, again through `fromPartial`, and then encodes with `BinaryWriter`; at
 * 200,000 counters that takes about twice as long (~80-110 ms against ~50 ms here), and
 * a benchmark of the panel's poll should measure the panel, not the fake server.
 */
function createStatsServiceDefinition() {
  const method = <Request, Response>(
    name: string,
    request: { encode(value: Request): { finish(): Uint8Array }; decode(b: Uint8Array): Request },
    encodeResponse: (value: Response) => Uint8Array,
  ) => ({
    path: `/${StatsServiceDefinition.fullName}/${name}`,
    requestStream: false as const,
    responseStream: false as const,
    requestSerialize: (value: Request) => request.encode(value).finish(),
    requestDeserialize: (bytes: Uint8Array) => request.decode(bytes),
    responseSerialize: encodeResponse,
    responseDeserialize: (_bytes: Uint8Array): Response => {
      throw new Error("The fake stats server does not decode responses");
    },
    options: {},
  });
  return {
    getStats: method(
      "GetStats",
      GetStatsRequest,
      (value: GetStatsResponse) => GetStatsResponse.encode(value).finish(),
    ),
    queryStats: method("QueryStats", QueryStatsRequest, createCounterEncoder()),
    getSysStats: method(
      "GetSysStats",
      SysStatsRequest,
      (value: SysStatsResponse) => SysStatsResponse.encode(value).finish(),
    ),
  } satisfies ServiceDefinition;
}

const utf8 = new TextEncoder();
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Encodes a counter map as a QueryStatsResponse, byte for byte what
 * `QueryStatsResponse.encode` writes, into one buffer sized in a first pass. ASCII names
 * (all of sing-box's, in practice) are copied char by char: at 200,000 counters a
 * `TextEncoder.encode` per name alone costs ~90 ms, and `BinaryWriter`'s fork/join per
 * Stat ~75 ms for the whole response.
 */
function createCounterEncoder(): (counters: CounterResponse) => Uint8Array {
  let nameLengths = new Int32Array(0);
  return (counters) => {
    if (nameLengths.length < counters.size) nameLengths = new Int32Array(counters.size);
    let total = 0;
    let i = 0;
    for (const [name, value] of counters) {
      const length = utf8Length(name);
      nameLengths[i++] = length;
      const stat = statLength(length, value);
      total += 1 + varintLength(stat) + stat;
    }
    const out = new Uint8Array(total);
    let pos = 0;
    i = 0;
    for (const [name, value] of counters) {
      const length = nameLengths[i++];
      out[pos++] = 0x0a; // QueryStatsResponse.stat = 1, length-delimited
      pos = writeVarint(out, pos, statLength(length, value));
      out[pos++] = 0x0a; // Stat.name = 1, length-delimited
      pos = writeVarint(out, pos, length);
      if (length === name.length) {
        for (let c = 0; c < length; c++) out[pos + c] = name.charCodeAt(c);
      } else {
        utf8.encodeInto(name, out.subarray(pos, pos + length));
      }
      pos += length;
      if (value !== 0n) {
        out[pos++] = 0x10; // Stat.value = 2, varint
        pos = writeVarint64(out, pos, value);
      }
    }
    return out;
  };
}

/** UTF-8 length of a string as TextEncoder writes it (lone surrogates become U+FFFD). */
function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      length += 1;
    } else {
      length += 2; // 3 bytes for one unit, or 4 bytes for a surrogate pair's two units
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
    }
  }
  return length;
}

function statLength(nameLength: number, value: bigint): number {
  const name = 1 + varintLength(nameLength) + nameLength;
  return value === 0n ? name : name + 1 + varint64Length(value);
}

function varintLength(n: number): number {
  let length = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    length++;
  }
  return length;
}

function varint64Length(value: bigint): number {
  if (value >= 0n && value <= MAX_SAFE) return varintLength(Number(value));
  let v = BigInt.asUintN(64, value); // int64 on the wire: negatives take 10 bytes
  let length = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    length++;
  }
  return length;
}

function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[pos++] = n;
  return pos;
}

function writeVarint64(out: Uint8Array, pos: number, value: bigint): number {
  if (value >= 0n && value <= MAX_SAFE) {
    return writeVarint(out, pos, Number(value));
  }
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[pos++] = Number(v);
  return pos;
}

/**
 * Starts a StatsService on 127.0.0.1 with an OS-chosen port.
 *
 * QueryStats answers with every counter `counters()` returns (filters and `reset` are
 * ignored); GetSysStats reports `uptime()` whole seconds; GetStats answers 0 for a name
 * it does not hold.
 */
export async function startFakeStatsServer(
  counters: () => Map<string, bigint>,
  uptime: () => number,
): Promise<FakeStatsServer> {
  const server = createServer();
  server.add(createStatsServiceDefinition(), {
    getStats(request: GetStatsRequest): Promise<GetStatsResponse> {
      const value = counters().get(request.name) ?? 0n;
      return Promise.resolve({ stat: { name: request.name, value } });
    },
    queryStats(_request: QueryStatsRequest): Promise<CounterResponse> {
      return Promise.resolve(counters());
    },
    getSysStats(_request: SysStatsRequest): Promise<SysStatsResponse> {
      return Promise.resolve(SysStatsResponse.fromPartial({ Uptime: Math.floor(uptime()) }));
    },
  });
  const port = await server.listen("127.0.0.1:0");
  return {
    address: `127.0.0.1:${port}`,
    close: () => server.shutdown(),
  };
}
