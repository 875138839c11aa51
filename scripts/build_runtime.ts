/**
 * Checks `DENORT_BIN`, the runtime `deno compile` appends the payload to: a `denort` of
 * exactly the compiling Deno's version, for the target's CPU and libc; or the `deno` CLI
 * itself, which gives a payload to check but no runnable singdeck.
 */
import { MIB, type TargetName, TARGETS } from "./build_payload.ts";

export interface Runtime {
  path: string;
  bytes: number;
  /** The `deno` CLI rather than `denort`: the output holds the payload but runs as deno. */
  isDenoCli: boolean;
}

/** Which of `needles` (ASCII) occur in the file, read in chunks. */
async function fileContains(path: string, needles: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const encoded = needles.map((n) => ({ text: n, bytes: new TextEncoder().encode(n) }));
  const longest = Math.max(...encoded.map((n) => n.bytes.length));
  using file = await Deno.open(path);
  const chunk = new Uint8Array(8 * MIB);
  let carry = new Uint8Array(0);
  while (found.size < needles.length) {
    const read = await file.read(chunk);
    if (read === null) break;
    const data = new Uint8Array(carry.length + read);
    data.set(carry);
    data.set(chunk.subarray(0, read), carry.length);
    for (const needle of encoded) {
      if (found.has(needle.text)) continue;
      for (
        let i = data.indexOf(needle.bytes[0]);
        i >= 0;
        i = data.indexOf(needle.bytes[0], i + 1)
      ) {
        if (needle.bytes.every((b, j) => data[i + j] === b)) {
          found.add(needle.text);
          break;
        }
      }
    }
    carry = data.slice(Math.max(0, data.length - longest + 1));
  }
  return found;
}

/** The ELF machine and the dynamic loader (`PT_INTERP`) of a 64-bit ELF file. */
function elfInfo(bytes: Uint8Array): { machine: number; interpreter?: string } | null {
  if (
    bytes.length < 64 || bytes[0] !== 0x7f || String.fromCharCode(...bytes.subarray(1, 4)) !== "ELF"
  ) {
    return null;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = view.getUint16(18, true);
  const phoff = Number(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 40 > bytes.length || view.getUint32(at, true) !== 3) continue; // PT_INTERP
    const offset = Number(view.getBigUint64(at + 8, true));
    const size = Number(view.getBigUint64(at + 32, true));
    const interpreter = new TextDecoder().decode(bytes.subarray(offset, offset + size));
    return { machine, interpreter: interpreter.replace(/\0+$/, "") };
  }
  return { machine };
}

/** What `DENORT_BIN` must be, for messages. */
export function denortNeeded(target: TargetName): string {
  const t = TARGETS[target];
  const version = Deno.version.deno;
  const source = t.libc === "gnu"
    ? `denort-${t.denoTarget}.zip from https://dl.deno.land/release/v${version}/, unzipped`
    : `Deno publishes none for musl: build denort ${version} from Deno's source for ` +
      `x86_64-unknown-linux-musl`;
  return `Set DENORT_BIN to a denort of exactly Deno ${version}, the version that compiles ` +
    `(another version's runtime cannot read the payload), for ${target}: ${source}.`;
}

/** Checks `DENORT_BIN` for `target`; throws an Error that says what is wrong. */
export async function checkRuntime(path: string, target: TargetName): Promise<Runtime> {
  let stat;
  try {
    stat = await Deno.stat(path);
  } catch {
    throw new Error(`DENORT_BIN=${path} does not exist.\n${denortNeeded(target)}`);
  }
  if (!stat.isFile) throw new Error(`DENORT_BIN=${path} is not a file.\n${denortNeeded(target)}`);
  const head = new Uint8Array(64 * 1024);
  {
    using file = await Deno.open(path);
    await file.read(head);
  }
  const elf = elfInfo(head);
  if (!elf) {
    throw new Error(`DENORT_BIN=${path} is not a Linux executable.\n${denortNeeded(target)}`);
  }
  const versionMark = `Deno/${Deno.version.deno}`;
  const cliMark = "A modern JavaScript and TypeScript runtime";
  const found = await fileContains(path, [versionMark, cliMark]);
  if (!found.has(versionMark)) {
    throw new Error(
      `DENORT_BIN=${path} is not Deno ${Deno.version.deno}'s runtime (no "${versionMark}" ` +
        `in it); an executable built on another version's runtime does not start.\n` +
        denortNeeded(target),
    );
  }
  const runtime = { path, bytes: stat.size, isDenoCli: found.has(cliMark) };
  if (runtime.isDenoCli) return runtime; // payload check only: arch and libc do not matter
  const t = TARGETS[target];
  if (elf.machine !== t.elfMachine) {
    throw new Error(
      `DENORT_BIN=${path} is built for another CPU than ${target}.\n${denortNeeded(target)}`,
    );
  }
  const libc = elf.interpreter?.includes("musl") ? "musl" : elf.interpreter ? "gnu" : undefined;
  if (libc !== undefined && libc !== t.libc) {
    throw new Error(
      `DENORT_BIN=${path} is linked against ${libc} libc, ${target} needs ${t.libc}.\n` +
        denortNeeded(target),
    );
  }
  return runtime;
}
