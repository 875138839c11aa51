/** A promise-chain mutex: holders run one at a time, in the order they asked. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once every earlier holder has finished. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.catch(() => {});
    return result;
  }

  /** Waits for the lock and returns the function that releases it (call it exactly once). */
  acquire(): Promise<() => void> {
    const released = Promise.withResolvers<void>();
    const acquired = this.#tail.then(() => released.resolve);
    this.#tail = released.promise;
    return acquired;
  }
}
