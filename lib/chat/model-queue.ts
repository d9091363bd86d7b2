/**
 * Runs model calls one at a time, urgent ones first. The ONNX session takes one run at a
 * time; a visitor's next message must not wait behind the many small forward passes of the
 * previous answer's explanation, so it goes ahead of them at the next free moment.
 */
export class ModelQueue {
  private running = false;
  private readonly urgent: (() => void)[] = [];
  private readonly background: (() => void)[] = [];

  /**
   * Queues `work`. With a `signal`, aborting it before the work starts takes the work out of
   * the queue and rejects with the signal's reason: cancelled explanation work frees the model
   * at once. Work already running is not interrupted.
   */
  run<T>(work: () => Promise<T>, priority: 'urgent' | 'background', signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const lane = priority === 'urgent' ? this.urgent : this.background;
      const onAbort = () => {
        const index = lane.indexOf(job);
        if (index < 0) return;
        lane.splice(index, 1);
        reject(signal!.reason);
      };
      const job = () => {
        signal?.removeEventListener('abort', onAbort);
        work()
          .then(resolve, reject)
          .finally(() => {
            this.running = false;
            this.next();
          });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.push(job);
      this.next();
    });
  }

  private next() {
    if (this.running) return;
    const job = this.urgent.shift() ?? this.background.shift();
    if (!job) return;
    this.running = true;
    job();
  }
}
