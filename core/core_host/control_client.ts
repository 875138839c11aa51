/**
 * Client of singdeck-core's control service (proto/core_control.proto): block and unblock
 * users, swap one inbound, replace the config, drain the traffic before a planned stop.
 * Every call carries the per-run secret as `authorization: Bearer <secret>` and a
 * deadline; a refused change comes back as an error message, not an exception.
 */
import { type Channel, createChannel, createClient, Metadata } from "nice-grpc";
import {
  type CoreControlClient as GeneratedClient,
  CoreControlDefinition,
  type StatusResponse,
} from "../../proto/core_control.ts";

/** The core's answer to a change: null when applied, else why it refused (nothing changed). */
export type ChangeResult = string | null;

export class CoreControlClient {
  readonly #address: string;
  readonly #metadata: Metadata;
  readonly #deadlineMs: number;
  #channel: Channel | null = null;
  #client: GeneratedClient | null = null;

  /**
   * @param address loopback host:port of the core's StatsService and control service
   * @param secret the per-run secret the core read from its secret file
   */
  constructor(address: string, secret: string, options: { deadlineMs?: number } = {}) {
    this.#address = address;
    this.#metadata = Metadata({ authorization: `Bearer ${secret}` });
    this.#deadlineMs = options.deadlineMs ?? 30_000;
  }

  get address(): string {
    return this.#address;
  }

  #connect(): GeneratedClient {
    if (!this.#client) {
      this.#channel = createChannel(this.#address, undefined, {
        "grpc.max_send_message_length": 64 * 1024 * 1024,
      });
      this.#client = createClient(CoreControlDefinition, this.#channel);
    }
    return this.#client;
  }

  #options() {
    return { metadata: this.#metadata, signal: AbortSignal.timeout(this.#deadlineMs) };
  }

  /** Version, uptime, inbounds, blocked set size, open connections. */
  status(): Promise<StatusResponse> {
    return this.#connect().status({}, this.#options());
  }

  /** Blocks stats user names: their connections close now, new ones are refused. */
  async block(names: string[]): Promise<{ blocked: number; closed: number }> {
    return await this.#connect().blockUsers({ names }, this.#options());
  }

  async unblock(names: string[]): Promise<{ blocked: number }> {
    return await this.#connect().unblockUsers({ names }, this.#options());
  }

  /** Makes the blocked set exactly `names`. */
  async setBlocked(names: string[]): Promise<{ blocked: number; closed: number }> {
    return await this.#connect().setBlocked({ names }, this.#options());
  }

  /** Creates or replaces one inbound from a file holding its JSON object. */
  async replaceInbound(tag: string, path: string): Promise<ChangeResult> {
    const reply = await this.#connect().replaceInbound({ tag, path }, this.#options());
    return reply.error || null;
  }

  async removeInbound(tag: string): Promise<ChangeResult> {
    const reply = await this.#connect().removeInbound({ tag }, this.#options());
    return reply.error || null;
  }

  /** Replaces the whole config from a file; every connection drops, counters stay. */
  async replaceConfig(path: string): Promise<ChangeResult> {
    const reply = await this.#connect().replaceConfig({ path }, this.#options());
    return reply.error || null;
  }

  /** Closes every listener and connection; the StatsService keeps answering. */
  async drain(): Promise<number> {
    return (await this.#connect().drain({}, this.#options())).closed;
  }

  close(): void {
    this.#channel?.close();
    this.#channel = null;
    this.#client = null;
  }
}
