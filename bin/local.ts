/**
 * `npm start`: the whole platform on emulators, with the demo edition. `npm run reset` wipes its data.
 * PORT (default 3000) sets the site and API port; BP_EDITION picks another file in editions/.
 * BP_SES_MAILBOX_LIMIT (default 10,000) sets how many emails the SES emulator keeps, the newest.
 * `npm start -- --at <phase>` brings the demo to that phase lived in (local/demo/lived-in.ts): from fresh data,
 * once; later starts with the same `--at` reuse it.
 */
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClock } from '../local/clock.ts';
import { buildLivedInDemo, DEMO_STAGES, type DemoStage, FULL_SCALE } from '../local/demo/lived-in.ts';
import { readJsonIfExists, startLocalStack, writeJson } from '../local/stack.ts';
import { installTimeShift } from '../local/time-shift.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import { toInstant } from '../shared/time/zoned.ts';

const { values } = parseArgs({
  options: {
    'reset-only': { type: 'boolean', default: false },
    at: { type: 'string' },
    seed: { type: 'string', default: '2023' },
    ideas: { type: 'string' },
    ballots: { type: 'string' },
  },
});
const dataDir = resolve('.local');
const at = values.at as DemoStage | undefined;
if (at !== undefined && !DEMO_STAGES.includes(at)) {
  console.error(`--at : phase inconnue « ${at} ». Phases possibles : ${DEMO_STAGES.join(', ')}.`);
  process.exit(1);
}
const seed = Number(values.seed);
// A lived-in demo is built once from fresh data; the same `--at` and seed later start on what it left.
const demoFile = join(dataDir, 'demo.json');
const builtDemo = await readJsonIfExists<{ at: string; seed: number }>(demoFile);
const buildDemo = at !== undefined && (builtDemo?.at !== at || builtDemo.seed !== seed);
if (buildDemo) await wipeLocalData();

/** Wipes what `npm start` keeps in `.local/`; `.local/test/` belongs to test runs that may be going on. */
async function wipeLocalData() {
  const entries = await readdir(dataDir).catch(() => [] as string[]);
  for (const entry of entries)
    if (entry !== 'test') await rm(join(dataDir, entry), { recursive: true, force: true });
}

if (values['reset-only']) {
  await wipeLocalData();
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
const mailboxLimitVar = process.env.BP_SES_MAILBOX_LIMIT;
const mailboxLimit = mailboxLimitVar === undefined ? undefined : Number(mailboxLimitVar);
if (mailboxLimit !== undefined && !(Number.isInteger(mailboxLimit) && mailboxLimit >= 1)) {
  console.error(
    `BP_SES_MAILBOX_LIMIT : « ${mailboxLimitVar} » n’est pas un nombre entier d’emails (au moins 1).`,
  );
  process.exit(1);
}

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

let building = false;
try {
  const stack = await startLocalStack({
    config,
    port,
    dataDir,
    cacheDir: resolve('.cache'),
    persistent: true,
    clock,
    mailboxLimit,
    ...(saved ? {} : { startAt: firstStart }),
    // Quiet while the lived-in demo is built: thousands of requests.
    log: (line) => {
      if (!building) console.log(`  ${line}`);
    },
  });
  await saveClock();
  clock.onChange(() => void saveClock());
  if (at && buildDemo) {
    building = true;
    console.log(`Démo « vécue » jusqu’à la phase ${at} (graine ${seed}) : construction par l’API…`);
    const demo = await buildLivedInDemo(
      {
        siteUrl: stack.urls.site,
        busUrl: stack.urls.bus,
        mailboxUrl: stack.urls.mailbox,
        cognitoUrl: stack.urls.cognito,
        cognito: {
          userPoolId: stack.pool.userPoolId,
          clientId: stack.pool.clientId,
          issuer: stack.pool.issuer,
          region: stack.pool.region,
        },
        edition: config.id,
        staff: stack.staff,
      },
      config,
      {
        at,
        seed,
        scale: {
          ...FULL_SCALE,
          ...(values.ideas ? { ideas: Number(values.ideas) } : {}),
          ...(values.ballots ? { ballots: Number(values.ballots) } : {}),
        },
        log: (line) => console.log(`  ${line}`),
      },
    );
    building = false;
    await writeJson(demoFile, { at, seed, builtIn: demo.seconds, addedStaff: demo.addedStaff });
    console.log(
      `  ${demo.ideas.length} idées, ${demo.ballots.online + demo.ballots.paper} bulletins, en ${demo.seconds} s`,
    );
  }
  const added = (
    await readJsonIfExists<{ addedStaff?: { username: string; password: string; role: string }[] }>(demoFile)
  )?.addedStaff;
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
${added?.length ? `\nComptes ajoutés par la démo vécue :\n${added.map((user) => `  ${user.username}  ${user.password}  (${user.role})`).join('\n')}\n` : ''}
Double authentification : le code à 6 chiffres (et la clé pour une application) de chaque compte avec
  npm run staff:code -- <adresse>

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
