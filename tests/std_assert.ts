/**
 * The subset of `@std/assert`'s API the tests use, over `node:assert`.
 * JSR is unreachable here; where it is, map `@std/assert` in deno.json to
 * `jsr:@std/assert@1` instead and delete this file.
 */
import nodeAssert from "node:assert/strict";

export class AssertionError extends Error {
  override name = "AssertionError";
}

function fail(msg: string | undefined, fallback: string): never {
  throw new AssertionError(msg ?? fallback);
}

export function assert(expr: unknown, msg?: string): asserts expr {
  if (!expr) fail(msg, "Expected expression to be truthy");
}

export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, msg as string);
}

export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, msg as string);
}

export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  msg?: string,
): asserts actual is T {
  nodeAssert.strictEqual(actual, expected, msg as string);
}

export function assertExists<T>(actual: T, msg?: string): asserts actual is NonNullable<T> {
  if (actual === null || actual === undefined) fail(msg, `Expected a value, got ${actual}`);
}

export function assertStringIncludes(actual: string, expected: string, msg?: string): void {
  if (!actual.includes(expected)) {
    fail(msg, `Expected actual: "${actual.slice(0, 2000)}" to contain: "${expected}"`);
  }
}

export function assertNotMatch(actual: string, expected: RegExp, msg?: string): void {
  if (expected.test(actual)) {
    fail(msg, `Expected "${actual.slice(0, 2000)}" not to match ${expected}`);
  }
}

export function assertMatch(actual: string, expected: RegExp, msg?: string): void {
  if (!expected.test(actual)) fail(msg, `Expected "${actual.slice(0, 2000)}" to match ${expected}`);
}

export function assertGreater<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual > expected)) fail(msg, `Expected ${actual} > ${expected}`);
}

export function assertGreaterOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual >= expected)) fail(msg, `Expected ${actual} >= ${expected}`);
}

export function assertLess<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual < expected)) fail(msg, `Expected ${actual} < ${expected}`);
}

export function assertLessOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual <= expected)) fail(msg, `Expected ${actual} <= ${expected}`);
}

export function assertFalse(expr: unknown, msg?: string): void {
  if (expr) fail(msg, "Expected expression to be falsy");
}

export function assertInstanceOf<T extends abstract new (...args: never[]) => unknown>(
  actual: unknown,
  expectedType: T,
  msg?: string,
): asserts actual is InstanceType<T> {
  if (!(actual instanceof expectedType)) fail(msg, `Expected an instance of ${expectedType.name}`);
}

type ErrorClass = abstract new (...args: never[]) => Error;

function checkError(e: unknown, ErrorClass?: ErrorClass, msgIncludes?: string): Error {
  if (!(e instanceof Error)) fail(undefined, `A non-Error was thrown: ${e}`);
  const { name, message } = e;
  if (ErrorClass && !(e instanceof ErrorClass)) {
    fail(
      undefined,
      `Expected error to be instance of "${ErrorClass.name}", got "${name}": ${message}`,
    );
  }
  if (msgIncludes && !e.message.includes(msgIncludes)) {
    fail(undefined, `Expected error message to include "${msgIncludes}", got "${e.message}"`);
  }
  return e;
}

export function assertThrows(
  fn: () => unknown,
  ErrorClass?: ErrorClass,
  msgIncludes?: string,
): Error {
  try {
    fn();
  } catch (e) {
    return checkError(e, ErrorClass, msgIncludes);
  }
  fail(undefined, "Expected function to throw");
}

export async function assertRejects(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass,
  msgIncludes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, ErrorClass, msgIncludes);
  }
  fail(undefined, "Expected function to reject");
}

export function unreachable(msg?: string): never {
  fail(msg, "Unreachable");
}
