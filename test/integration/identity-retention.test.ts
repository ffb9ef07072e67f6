import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { retentionDate } from '../../functions/identity/erase-expired-data.ts';
import { ACCOUNT, REGION } from '../../local/stack.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { api, staffToken } from '../support/api.ts';
import { identityPath, signInCitizen, uniquePerson } from '../support/identity.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const scheduler = new SchedulerClient({
  endpoint: stack.busUrl,
  region: REGION,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  requestHandler: { requestTimeout: 5000, throwOnRequestTimeout: true },
});
afterAll(() => scheduler.destroy());

const bus = async (path: string, body?: unknown) =>
  (await fetch(`${stack.busUrl}/__local/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then((response) => response.json())) as Record<string, unknown>;

/**
 * Fires the retention input once through the local Scheduler, as if its occurrence were `scheduledAt`:
 * a one-time schedule a minute ahead of the bus clock, then the clock moves two minutes (no phase
 * schedule lies that close) and the bus drains.
 */
async function fireRetention(name: string, scheduledAt: Date) {
  const now = new Date(String((await bus('clock')).now));
  const at = new Date(Math.ceil(now.getTime() / 1000) * 1000 + 60_000).toISOString().slice(0, 19);
  await scheduler.send(
    new CreateScheduleCommand({
      Name: `test-retention-${name}-${Date.now()}`,
      ScheduleExpression: `at(${at})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:identity`,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler-identity`,
        Input: JSON.stringify({
          kind: 'personal-data-retention',
          edition: stack.edition,
          scheduledAt: scheduledAt.toISOString(),
        }),
      },
    }),
  );
  await bus('clock/advance', { ms: 120_000 });
  await bus('idle', {});
}

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
    await fireRetention('early', new Date(due.getTime() - 86_400_000));
    expect((await me()).body.identity.firstName).toBe('Rozenn');

    // Act 2: the first run after it erases, a second one changes nothing.
    await fireRetention('due', new Date(due.getTime() + 3600_000));
    const erased = (await me()).body.identity;
    await fireRetention('again', new Date(due.getTime() + 90_000_000));

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
    expect(JSON.stringify(await bus('dlq'))).not.toContain('personal-data-retention');
  });
});
