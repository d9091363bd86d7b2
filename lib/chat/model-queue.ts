/**
 * Runs model calls one at a time, urgent ones first. The ONNX session takes one run at a
 * time; a visitor's next message must not wait behind the many small forward passes of the
 * previous answer's explanation, so it goes ahead of them at the next free moment.
 */
export class ModelQueue {
  private running = false;
  private readonly urgent: (() => void)[] = [];
  private readonly background: (() => void)[] = [];

  run<T>(work: () => Promise<T>, priority: 'urgent' | 'background'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job = () => {
        work()
          .then(resolve, reject)
          .finally(() => {
            this.running = false;
            this.next();
          });
      };
      (priority === 'urgent' ? this.urgent : this.background).push(job);
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
