/**
 * At most N container runs at a time; the others wait in arrival order. A waiting run can be
 * withdrawn (the gateway cancelled it) without disturbing the order of the rest.
 */
interface Waiting {
  id: string;
  start: () => void;
  drop: () => void;
}

export class RunQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];

  constructor(private readonly limit: number) {}

  /**
   * Runs `task` when a slot is free; `onQueued` is told its place (1 = next) when it must wait.
   * Resolves with the task's result, or null when it was withdrawn before it started.
   */
  run<T>(id: string, task: () => Promise<T>, onQueued?: (position: number) => void): Promise<T | null> {
    return new Promise<T | null>((resolve, reject) => {
      const start = () => {
        this.running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.waiting.shift()?.start();
          });
      };
      if (this.running < this.limit) return start();
      this.waiting.push({ id, start, drop: () => resolve(null) });
      onQueued?.(this.waiting.length);
    });
  }

  /** True when the run was still waiting and is now dropped. */
  withdraw(id: string): boolean {
    const i = this.waiting.findIndex((w) => w.id === id);
    if (i < 0) return false;
    this.waiting.splice(i, 1)[0]!.drop();
    return true;
  }
}
