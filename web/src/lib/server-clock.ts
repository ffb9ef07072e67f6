/**
 * The server's time, as the API's answers state it (`Date`, plus `Age` when a cache held the answer), never
 * the browser's clock alone: the two can disagree by years (a local stack whose clock was moved to the vote,
 * a phone set to the wrong date). Every API answer updates the offset; until one came, the browser's clock.
 */
let offsetMs = 0;

/** Notes the server's time from an API response's headers. */
export function noteServerDate(headers: Headers, browserNow = Date.now()): void {
  const date = Date.parse(headers.get('Date') ?? '');
  if (Number.isNaN(date)) return;
  const age = Number(headers.get('Age'));
  offsetMs = date + (age > 0 ? age * 1000 : 0) - browserNow;
}

/** The server's time now (epoch ms), to the second (`Date` has no finer grain). */
export function serverNow(browserNow = Date.now()): number {
  return browserNow + offsetMs;
}
