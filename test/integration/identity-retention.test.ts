import { describe, expect, inject, it } from 'vitest';
import { retentionDate } from '../../functions/identity/erase-expired-data.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { api, staffToken } from '../support/api.ts';
import { identityPath, signInCitizen, uniquePerson } from '../support/identity.ts';
import { busEvents, fireScheduleOnce, localBus } from '../support/local-bus.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const bus = (path: string, body?: unknown) => localBus(stack, path, body);

/** Fires the retention input once through the local Scheduler, as if its occurrence were `scheduledAt`. */
const fireRetention = (scheduledAt: Date) =>
  fireScheduleOnce(stack, 'identity', {
    kind: 'personal-data-retention',
    scheduledAt: scheduledAt.toISOString(),
  });

describe('personal-data retention', () => {
  it('erases every identity’s personal data once the retention date has passed, through the daily schedule, idempotently', async () => {
    // Prepare: the manifest's daily schedule exists; one citizen online, one registered on site.
    const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const due = retentionDate(parsed.config);
    const schedules = (await bus('schedules')).schedules as { name: string; expression: string }[];
    expect(schedules.find((schedule) => schedule.name === 'identity-personal-data-retention')).toMatchObject({
      expression: 'cron(30 3 * * ? *)',
    });
    const online = await signInCitizen(stack, uniquePerson({ firstName: 'Rozenn' }));
    const onSite = await api(stack, 'POST', identityPath(stack, '/staff/identity/in-person'), {
      token: await staffToken(stack, 'coordinator'),
      body: { profile: uniquePerson({ firstName: 'Loïc' }) },
    });
    expect(onSite.status).toBe(201);
    const me = () => api(stack, 'GET', identityPath(stack, '/me'), { token: online.token });

    // Act 1: a run the day before the retention date erases nothing.
    await fireRetention(new Date(due.getTime() - 86_400_000));
    expect((await me()).body.identity.firstName).toBe('Rozenn');

    // Act 2: the first run after it erases, a second one changes nothing.
    await fireRetention(new Date(due.getTime() + 3600_000));
    const erased = (await me()).body.identity;
    const batchesAfterFirstRun = (await busEvents(stack, 'RetentionBatchRequested')).length;
    await fireRetention(new Date(due.getTime() + 90_000_000));

    // Assess
    expect(erased).toMatchObject({
      citizenId: online.response.body.citizen.id,
      email: '',
      firstName: '',
      lastName: '',
      birthDate: '',
      commune: '',
      erasedAt: new Date(due.getTime() + 3600_000).toISOString(),
    });
    expect((await me()).body.identity.erasedAt).toBe(erased.erasedAt);
    // The erasure ran in batches (events), and once nothing is left a day's run asks for none.
    expect(batchesAfterFirstRun).toBeGreaterThan(0);
    expect(await busEvents(stack, 'RetentionBatchRequested')).toHaveLength(batchesAfterFirstRun);
    expect(JSON.stringify(await bus('dlq'))).not.toContain('personal-data-retention');
  });
});
