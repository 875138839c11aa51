/**
 * Client for the V2Ray-compatible gRPC StatsService of sing-box (and v2ray 4.x).
 *
 * Reads counters only: `reset` is never set, so the panel's cursors stay the one record
 * of what has been counted. Counters are int64 on the wire and stay exact as bigint.
 */
import { type Channel, ClientError, createChannel, createClient, Status } from "nice-grpc";
import { type StatsServiceClient, StatsServiceDefinition } from "../../proto/stats.ts";

/** Options for {@linkcode StatsClient}. */
export interface StatsClientOptions {
  /** Time one call may take before it is abandoned, in milliseconds. Default 5000. */
  deadlineMs?: number;
  /**
   * Largest response accepted, in bytes. gRPC's default of 4 MiB holds only about
   * 80,000 counters; the default here is 256 MiB.
   */
  maxResponseBytes?: number;
}

/** Why a stats call failed, in words the dashboard can show. */
export type StatsFailureReason = "unreachable" | "timeout" | "rejected";

/** A StatsService call that failed; `reason` says whether the API was down, slow or said no. */
export class StatsApiError extends Error {
  override name = "StatsApiError";
  constructor(
    message: string,
    readonly reason: StatsFailureReason,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const DEFAULT_DEADLINE_MS = 5000;
const QUERY_STATS_PATH = "/v2ray.core.app.stats.command.StatsService/QueryStats";
/** gRPC's frame of an empty message: not compressed, length 0. */
const EMPTY_GRPC_MESSAGE = new Uint8Array(5);
const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** Status codes after which the connection itself may be bad, so it is rebuilt. */
const TRANSPORT_FAILURES = new Set<Status>([
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.CANCELLED,
  Status.UNKNOWN,
  Status.INTERNAL,
]);

/**
 * Reads traffic counters and uptime from one StatsService address.
 *
 * Opens its gRPC channel on the first call, not in the constructor. After a call fails
 * because the API was unreachable or too slow, the channel is closed and the next call
 * opens a fresh one, so a restarted core is reached at once instead of after gRPC's
 * reconnect backoff.
 */
export class StatsClient {
  #address: string;
  readonly #deadlineMs: number;
  readonly #maxResponseBytes: number;
  #channel: Channel | null = null;
  #client: StatsServiceClient | null = null;
  #http2: Deno.HttpClient | null = null;

  /**
   * @param address host:port of the API, e.g. `127.0.0.1:10085`
   * @param options call deadline and response size limit
   */
  constructor(address: string, options: StatsClientOptions = {}) {
    this.#address = address;
    this.#deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!(this.#deadlineMs > 0)) {
      throw new RangeError(`Stats deadline ${this.#deadlineMs} ms is not a positive number`);
    }
  }

  /** The host:port calls go to. */
  get address(): string {
    return this.#address;
  }

  /**
   * Points later calls at another address, e.g. when the core was restarted with a
   * different API port. Closes the current channel if the address changed.
   */
  setAddress(address: string): void {
    if (address === this.#address) return;
    this.#dropChannel();
    this.#dropHttp2();
    this.#address = address;
  }

  /**
   * Every counter the API holds, by name, with its exact value.
   *
   * Sends both `pattern: ""` (read by v2ray 4.x) and `patterns: []` (read by sing-box);
   * empty means "all counters" to both. `reset` is always false. Names are filtered
   * here, after the response arrives, because the two servers filter differently.
   *
   * @param keep optional name filter; counters it returns false for are left out
   * @throws {StatsApiError} when the API is unreachable, too slow or rejects the call
   */
  async queryAll(keep?: (name: string) => boolean): Promise<Map<string, bigint>> {
    const response = await this.#call(
      "QueryStats",
      (client, signal) =>
        client.queryStats({ pattern: "", patterns: [], reset: false, regexp: false }, { signal }),
    );
    const counters = new Map<string, bigint>();
    for (const stat of response.stat) {
      if (keep === undefined || keep(stat.name)) counters.set(stat.name, stat.value);
    }
    return counters;
  }

  /**
   * Every counter the API holds, as (name, exact value) pairs read straight from the
   * response bytes; same request as `queryAll`.
   *
   * The poller's call, with 360,000 counters (20 MB) at 100,000 users. It goes as one
   * plain HTTP/2 POST (gRPC's framing by hand: an unary call with an empty request) through
   * Deno's own HTTP client rather than the gRPC channel: measured at 100,000 users,
   * grpc-js over Deno's node:http2 kept about 50 MB of heap and two to four copies of the
   * last responses' bytes alive after every call; this path keeps none, and is no slower.
   * gRPC errors arrive as a trailers-only answer (`grpc-status` in the headers).
   *
   * @throws {StatsApiError} when the API is unreachable, too slow or rejects the call
   * @throws {RangeError} when a counter is beyond 2^53 (a number would lose bytes)
   */
  async queryCounters(): Promise<Array<[string, number]>> {
    const address = this.#address;
    const where = `Stats API at ${address}`;
    this.#http2 ??= Deno.createHttpClient({ http1: false, http2: true });
    const client = this.#http2;
    const signal = AbortSignal.timeout(this.#deadlineMs);
    let body: Uint8Array;
    try {
      const response = await fetch(`http://${address}${QUERY_STATS_PATH}`, {
        method: "POST",
        client,
        signal,
        headers: { "content-type": "application/grpc", te: "trailers" },
        // An empty QueryStatsRequest: pattern "", patterns [], reset false, regexp false.
        body: EMPTY_GRPC_MESSAGE,
      });
      const status = response.headers.get("grpc-status");
      if (status !== null && status !== "0") {
        await response.body?.cancel();
        const message = percentDecoded(response.headers.get("grpc-message") ?? "");
        throw new ClientError(QUERY_STATS_PATH, Number(status) as Status, message);
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new StatsApiError(
          `${where} failed QueryStats: HTTP ${response.status}`,
          "unreachable",
        );
      }
      body = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (error instanceof StatsApiError) throw error;
      // Worded and classified as the gRPC channel's failures are.
      const failure = this.#describe("QueryStats", address, error, signal.aborted);
      if (failure.reason !== "rejected" && this.#http2 === client) this.#dropHttp2();
      throw failure;
    }
    return countersOf(this.#grpcMessage(body, where));
  }

  /** The one message of an unary gRPC answer's body (5-byte frame header, then it). */
  #grpcMessage(body: Uint8Array, where: string): Uint8Array {
    if (body.length < 5) {
      throw new StatsApiError(`${where} answered QueryStats with no message`, "unreachable");
    }
    if (body[0] !== 0) {
      throw new StatsApiError(`${where} answered QueryStats compressed`, "rejected");
    }
    const length = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(1);
    if (length > this.#maxResponseBytes) {
      throw new StatsApiError(
        `${where} answered QueryStats with ${length} bytes, over the ${this.#maxResponseBytes} allowed`,
        "rejected",
      );
    }
    if (5 + length !== body.length) {
      throw new StatsApiError(`${where} answered QueryStats cut short`, "unreachable");
    }
    return body.subarray(5);
  }

  /**
   * Seconds since the stats service started (GetSysStats `Uptime`). It restarts at 0
   * when the core starts or reloads, so going backwards means a new core run.
   *
   * @throws {StatsApiError} when the API is unreachable, too slow or rejects the call
   */
  async uptime(): Promise<number> {
    const response = await this.#call(
      "GetSysStats",
      (client, signal) => client.getSysStats({}, { signal }),
    );
    return response.Uptime;
  }

  /** Closes the channel. A later call opens a new one. */
  close(): void {
    this.#dropChannel();
    this.#dropHttp2();
  }

  async #call<T>(
    method: string,
    run: (client: StatsServiceClient, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const client = this.#connect();
    const address = this.#address;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#deadlineMs);
    try {
      return await run(client, controller.signal);
    } catch (error) {
      const failure = this.#describe(method, address, error, controller.signal.aborted);
      if (failure.reason !== "rejected" && this.#client === client) this.#dropChannel();
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  #connect(): StatsServiceClient {
    if (this.#client === null) {
      this.#channel = createChannel(this.#address, undefined, {
        "grpc.max_receive_message_length": this.#maxResponseBytes,
      });
      this.#client = createClient(StatsServiceDefinition, this.#channel);
    }
    return this.#client;
  }

  #dropChannel(): void {
    this.#channel?.close();
    this.#channel = null;
    this.#client = null;
  }

  #dropHttp2(): void {
    this.#http2?.close();
    this.#http2 = null;
  }

  #describe(method: string, address: string, error: unknown, timedOut: boolean): StatsApiError {
    const where = `Stats API at ${address}`;
    if (timedOut) {
      return new StatsApiError(
        `${where} did not answer ${method} within ${this.#deadlineMs} ms`,
        "timeout",
        { cause: error },
      );
    }
    if (error instanceof ClientError) {
      if (error.code === Status.UNAVAILABLE) {
        return new StatsApiError(`${where} is unreachable: ${error.details}`, "unreachable", {
          cause: error,
        });
      }
      const reason = TRANSPORT_FAILURES.has(error.code) ? "unreachable" : "rejected";
      return new StatsApiError(
        `${where} failed ${method} with ${Status[error.code]}: ${error.details}`,
        reason,
        { cause: error },
      );
    }
    const detail = error instanceof Error ? error.message : String(error);
    return new StatsApiError(`${where} failed ${method}: ${detail}`, "unreachable", {
      cause: error,
    });
  }
}

const utf8 = new TextDecoder();

/** gRPC's percent-encoded `grpc-message`, decoded where it can be. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The (name, value) pairs of a QueryStatsResponse's bytes: field 1 repeated Stat, each
 * with field 1 `name` (string) and field 2 `value` (int64). Unknown fields are skipped.
 *
 * @throws {RangeError} for a value outside ±2^53 or bytes that are not such a message
 */
export function countersOf(bytes: Uint8Array): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const n = bytes.length;
  let pos = 0;
  // Reads a varint at `pos` (at most up to `limit`) and moves past it; runs 600,000 times a
  // poll at 100,000 users, so single-byte varints take the short way.
  const varint = (limit: number): number => {
    if (pos < limit && bytes[pos] < 0x80) return bytes[pos++];
    let result = 0, scale = 1, b = 0;
    do {
      if (pos >= limit) throw new RangeError("QueryStats response is truncated");
      b = bytes[pos++];
      result += (b & 0x7f) * scale;
      scale *= 128;
    } while (b >= 0x80);
    return result;
  };
  // Moves past one field's value of `wireType`.
  const skip = (wireType: number, limit: number) => {
    if (wireType === 0) varint(limit);
    else if (wireType === 2) pos += varint(limit);
    else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else throw new RangeError(`QueryStats response has wire type ${wireType}`);
    if (pos > limit) throw new RangeError("QueryStats response is truncated");
  };
  while (pos < n) {
    const key = varint(n);
    if (key !== 0x0a) { // anything but field 1, length-delimited
      skip(key & 7, n);
      continue;
    }
    const length = varint(n);
    const end = pos + length;
    if (end > n) throw new RangeError("QueryStats response is truncated");
    let name = "";
    let value = 0;
    while (pos < end) {
      const tag = varint(end);
      if (tag === 0x0a) {
        const size = varint(end);
        if (pos + size > end) throw new RangeError("QueryStats response is truncated");
        name = utf8.decode(bytes.subarray(pos, pos + size));
        pos += size;
      } else if (tag === 0x10) {
        const start = pos;
        value = varint(end);
        // int64 on the wire: 10 bytes mean a negative value; above 2^53 loses bytes.
        if (pos - start > 8 || !Number.isSafeInteger(value)) {
          throw new RangeError(
            `Counter "${name}" value is outside the safe integer range (±${Number.MAX_SAFE_INTEGER}) ` +
              "and cannot be a number without losing bytes",
          );
        }
      } else skip(tag & 7, end);
    }
    out.push([name, value]);
  }
  return out;
}

/**
 * A counter value as a JavaScript number, for places that cannot hold a bigint.
 *
 * @param value the exact counter value
 * @param name what the value is, for the error message
 * @throws {RangeError} when the value is outside ±Number.MAX_SAFE_INTEGER, where a number
 *   would silently lose bytes
 */
export function toSafeNumber(value: bigint, name: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(
      `Counter "${name}" value ${value} is outside the safe integer range ` +
        `(±${Number.MAX_SAFE_INTEGER}) and cannot be a number without losing bytes`,
    );
  }
  return Number(value);
}
