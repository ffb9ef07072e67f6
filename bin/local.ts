/**
 * `npm start`: the whole platform on emulators, with the demo edition. `npm run reset` wipes its data.
 * PORT (default 3000) sets the site and API port; BP_EDITION picks another file in editions/.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClock } from '../local/clock.ts';
import { readJsonIfExists, startLocalStack, writeJson } from '../local/stack.ts';
import { installTimeShift } from '../local/time-shift.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import { toInstant } from '../shared/time/zoned.ts';

const { values } = parseArgs({ options: { 'reset-only': { type: 'boolean', default: false } } });
const dataDir = resolve('.local');

if (values['reset-only']) {
  await rm(dataDir, { recursive: true, force: true });
  console.log(`Données locales effacées (${dataDir}).`);
  process.exit(0);
}

const started = performance.now();
const edition = process.env.BP_EDITION ?? 'loire-atlantique-demo';
const parsed = await readEditionFile(join('editions', `${edition}.json`));
if (!parsed.ok) {
  console.error(`editions/${edition}.json est invalide :\n${parsed.errors.join('\n')}`);
  process.exit(1);
}
const config = parsed.config;
const port = Number(process.env.PORT ?? 3000);

// On a first start the demo clock stands 30 s before the call for ideas opens, so the scheduled phase
// change (and its email to coordinators) happens before your eyes; then time flows, and
// `POST /__local/clock/advance` on the bus moves it. The offset is kept across restarts.
const clockFile = join(dataDir, 'clock.json');
const saved = await readJsonIfExists<{ offsetMs: number }>(clockFile);
const realNow = Date.now;
const firstStart = new Date(toInstant(config.calendar.ideasOpen, config.timeZone).getTime() - 30_000);
const clock = createClock({ realNow, start: saved ? new Date(realNow() + saved.offsetMs) : firstStart });
installTimeShift(clock);
const saveClock = () => writeJson(clockFile, { offsetMs: clock.now().getTime() - realNow() });

try {
  const stack = await startLocalStack({
    config,
    port,
    dataDir,
    cacheDir: resolve('.cache'),
    persistent: true,
    clock,
    ...(saved ? {} : { startAt: firstStart }),
    log: (line) => console.log(`  ${line}`),
  });
  await saveClock();
  clock.onChange(() => void saveClock());
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`
Budget participatif — ${config.name} — prêt en ${seconds} s

  Site public        ${stack.urls.site}/
  Espace des équipes ${stack.urls.backOffice}
  API                ${stack.urls.api}/health
  Boîte aux lettres  ${stack.urls.mailbox}/   (emails envoyés, émulateur SES)
  Bus local          ${stack.urls.bus}/__local/events · /__local/dlq · /__local/schedules
  Stockage (S3)      ${stack.urls.s3}/${stack.picturesBucket}/   (photos des idées, émulateur s3rver)
  Horloge locale     ${clock.now().toISOString()} (avancer : curl -X POST ${stack.urls.bus}/__local/clock/advance -d '{"ms":86400000}')

Comptes de démonstration (un par rôle) :
${stack.staff.map((user) => `  ${user.role.padEnd(12)} ${user.username}  ${user.password}`).join('\n')}

Ctrl-C pour tout arrêter ; npm run reset pour effacer les données.
`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nArrêt…');
    await saveClock();
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  console.error(`Le démarrage a échoué : ${(error as Error).message}`);
  process.exit(1);
}
