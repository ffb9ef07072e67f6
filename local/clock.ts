/**
 * The local stack's notion of "now". Real time keeps flowing, shifted by an offset, so a developer can
 * jump to the voting phase and still see time pass; tests advance it instead of waiting.
 */
export interface Clock {
  now(): Date;
  /** Moves the clock forward by `ms` (never backwards: use `set` for that). */
  advance(ms: number): void;
  set(date: Date): void;
  /** Called after every `advance`/`set` (not as real time flows); returns the unsubscribe function. */
  onChange(listener: (now: Date) => void): () => void;
}

export interface ClockOptions {
  /** What `now()` returns right after creation. @default the real time */
  start?: Date;
  /** Stops real time from flowing, so `now()` only moves on `advance`/`set`. @default false */
  frozen?: boolean;
  /** The real time source, injectable for the clock's own tests. @default Date.now */
  realNow?: () => number;
}

export function createClock(options: ClockOptions = {}): Clock {
  const realNow = options.frozen ? () => 0 : (options.realNow ?? Date.now);
  let offset = (options.start?.getTime() ?? Date.now()) - realNow();
  const listeners = new Set<(now: Date) => void>();

  const now = () => new Date(realNow() + offset);
  const notify = () => {
    const current = now();
    for (const listener of [...listeners]) listener(current);
  };

  return {
    now,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`advance() needs a finite, non-negative ms, got ${ms}`);
      }
      offset += ms;
      notify();
    },
    set(date) {
      if (Number.isNaN(date.getTime())) throw new RangeError('set() needs a valid Date');
      offset = date.getTime() - realNow();
      notify();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
