import { TimerHeap } from "./common/timers";

/**
 * The local cloud's time. Retries, backoff, visibility timeouts, batching windows and Wait states
 * are timers on this clock. In `virtual` mode, whenever nothing is running (no invocation, no
 * delivery, no request in flight), the clock jumps to the next timer instead of waiting for it,
 * so a 6-minute backoff costs a test no real time while its order of events stays AWS's. In
 * `real` mode (a server people and SDKs talk to) timers wait in real time.
 *
 * Between jumps the virtual clock runs with the real one, so timestamps of work in flight differ.
 */
export type ClockMode = "virtual" | "real";

export interface Timer {
  cancel(): void;
}

interface Scheduled {
  readonly at: number;
  readonly fire: () => void;
  cancelled: boolean;
}

export class Clock {
  private offset = 0;
  /** Every timer of the cloud, earliest first (ties: in the order they were set). */
  private readonly timers = new TimerHeap<Scheduled>((timer) => !timer.cancelled);
  private busy = 0;
  private idleWaiters: (() => void)[] = [];
  private realTimer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(readonly mode: ClockMode = "virtual", private readonly onError: (error: unknown) => void = () => undefined) {}

  /** Milliseconds since the epoch, in the cloud's time. */
  now(): number {
    return Date.now() + this.offset;
  }

  date(): Date {
    return new Date(this.now());
  }

  /** Runs `fire` after `delayMs` of cloud time. */
  schedule(delayMs: number, fire: () => void): Timer {
    const timer: Scheduled = { at: this.now() + Math.max(0, delayMs), fire, cancelled: false };
    this.timers.push(timer);
    this.arm();
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Resolves after `delayMs` of cloud time. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.schedule(delayMs, resolve));
  }

  /**
   * Counts `work` as activity until it settles: the virtual clock does not jump while it runs.
   * A rejection is reported to the cloud's error sink, never left unhandled.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    const done = () => {
      this.busy--;
      if (this.busy === 0) this.wakeIdleWaiters();
    };
    work.then(done, (error) => {
      done();
      this.onError(error);
    });
    return work;
  }

  /** Starts `work` now as tracked activity; its failure goes to the error sink. */
  spawn(work: () => Promise<unknown>): void {
    this.track(Promise.resolve().then(work)).catch(() => undefined);
  }

  get pendingTimers(): number {
    return this.timers.countLive();
  }

  /**
   * Runs the cloud until nothing is left to do: waits for activity to end, then (virtual mode)
   * jumps to the next timer, until no timer is left or the next one is beyond `horizonMs` of cloud
   * time from now. Returns the cloud time it stopped at.
   */
  async settle(horizonMs = Infinity): Promise<number> {
    const until = this.now() + horizonMs;
    for (;;) {
      await this.idle();
      this.fireDue();
      await macrotask();
      if (this.busy > 0) continue;
      const next = this.nextTimer();
      if (!next) {
        await macrotask();
        if (this.busy > 0 || this.nextTimer()) continue;
        return this.now();
      }
      if (next.at > until) return this.now();
      if (this.mode === "virtual") {
        if (next.at > this.now()) this.offset += next.at - this.now();
        this.fireDue();
      } else {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next.at - this.now())));
        this.fireDue();
      }
    }
  }

  /** Resolves when no tracked work is running. */
  idle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the real timer that fires due timers (virtual mode keeps no process alive). */
  stop(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.armedFor = Infinity;
    this.timers.clear();
  }

  private nextTimer(): Scheduled | undefined {
    return this.timers.peek();
  }

  private fireDue(): void {
    const now = this.now();
    for (let next = this.timers.takeDue(now); next; next = this.timers.takeDue(now)) {
      try {
        next.fire();
      } catch (error) {
          this.onError(error);
      }
    }
    this.arm();
  }

  /** Keeps one real timer for the earliest due timer, so timers also fire while work runs. */
  private arm(): void {
    const next = this.nextTimer();
    if (!next) return;
    if (this.realTimer && this.armedFor <= next.at) return;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.armedFor = next.at;
    this.realTimer = setTimeout(() => {
      this.realTimer = undefined;
      this.armedFor = Infinity;
      this.fireDue();
    }, Math.max(0, next.at - this.now()));
    // In virtual mode a waiting timer must not keep the process alive: settle() drives it.
    if (this.mode === "virtual") this.realTimer.unref();
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
