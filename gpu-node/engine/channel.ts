// A one-consumer queue with an async iterator: the engine pushes as decodes finish, the caller pulls
// at its own pace. Closing with an error makes the consumer's next read throw it.
interface Waiter<T> {
  resolve: (result: IteratorResult<T>) => void;
  reject: (reason: unknown) => void;
}

export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: Waiter<T> | null = null;
  private ended: { error: unknown } | null = null;

  push(item: T): void {
    if (this.ended) return;
    const waiter = this.take();
    if (waiter) waiter.resolve({ value: item, done: false });
    else this.items.push(item);
  }

  close(error?: unknown): void {
    if (this.ended) return;
    this.ended = { error };
    const waiter = this.take();
    if (waiter) this.settle(waiter);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () =>
        new Promise<IteratorResult<T>>((resolve, reject) => {
          if (this.items.length > 0) resolve({ value: this.items.shift() as T, done: false });
          else if (this.ended) this.settle({ resolve, reject });
          else this.waiter = { resolve, reject };
        }),
    };
  }

  private take(): Waiter<T> | null {
    const waiter = this.waiter;
    this.waiter = null;
    return waiter;
  }

  private settle(waiter: Waiter<T>): void {
    const error = this.ended?.error;
    if (error === undefined) waiter.resolve({ value: undefined, done: true });
    else waiter.reject(error);
  }
}
