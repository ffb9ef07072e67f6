import type { Clock } from './clock.ts';

/**
 * Makes `Date` in this process follow the local clock, so that after "advance the clock to the vote"
 * the handlers, cognito-local's token times and the scheduler all agree on the date, with no clock
 * parameter or `if (local)` in handler code. Dev runtime only; the clock must be built on the real
 * `Date.now` captured before this is installed.
 */
export function installTimeShift(clock: Clock): () => void {
  const RealDate = globalThis.Date;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(clock.now().getTime());
      else super(...(args as [string | number | Date]));
    }
    static override now() {
      return clock.now().getTime();
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
  return () => {
    globalThis.Date = RealDate;
  };
}
