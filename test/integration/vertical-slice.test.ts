import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readMailbox } from '../../local/ses.ts';
import { PhaseChanged } from '../../shared/events/catalogue.ts';
import { toInstant } from '../../shared/time/zoned.ts';
import { api, eventually, staffToken, waitForBus } from '../support/api.ts';
import { localBus, putEvent } from '../support/local-bus.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;

const busIdle = () => waitForBus(stack);

async function mailsWithSubject(fragment: string) {
  return (await readMailbox(stack.mailboxUrl)).filter((mail) => mail.subject.includes(fragment));
}

describe('the vertical slice: health, public edition, a staff route, an event-to-email path', () => {
  let admin: string;
  let coordinator: string;
  let coordinators: string[];
  /** Other test files share the stack and may have moved the phase: compare with what it was. */
  let initialPhase: string;

  beforeAll(async () => {
    [admin, coordinator] = await Promise.all([staffToken(stack, 'admin'), staffToken(stack, 'coordinator')]);
    const edition = await import('../../editions/loire-atlantique-demo.json', { with: { type: 'json' } });
    coordinators = edition.default.staff.coordinators.map((contact: { email: string }) => contact.email);
    initialPhase = (await api(stack, 'GET', editionPath)).body.phase.current;
    expect(initialPhase).not.toBe('instruction');
  });

  it('answers the health check with the edition it serves', async () => {
    const response = await api(stack, 'GET', '/api/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', edition: stack.edition });
  });

  it('serves the public edition with its phase and calendar, and no staff contact', async () => {
    const response = await api(stack, 'GET', editionPath);
    expect(response.status).toBe(200);
    expect(response.body.edition.id).toBe(stack.edition);
    expect(response.body.calendar.map((entry: { phase: string }) => entry.phase)).toEqual([
      'ideas',
      'instruction',
      'ballot-preparation',
      'vote',
      'counting',
      'results',
    ]);
    expect(response.body.phase.current).toBe(initialPhase);
    // The institution's public addresses (DPO, accessibility, contact) are for the legal pages; the staff's never.
    const edition = (await import('../../editions/loire-atlantique-demo.json', { with: { type: 'json' } }))
      .default;
    const staffAddresses = [
      ...edition.services.flatMap((service: { contacts: { email: string }[] }) => service.contacts),
      ...Object.values(edition.staff).flat(),
    ].map((contact) => (contact as { email: string }).email);
    expect(staffAddresses.length).toBeGreaterThan(5);
    const body = JSON.stringify(response.body);
    for (const address of staffAddresses) expect(body).not.toContain(address);
    const published = body.match(/[\w.+-]+@[\w-]+\.[\w.-]+/g) ?? [];
    expect(published.every((address) => JSON.stringify(edition.legal).includes(address))).toBe(true);
  });

  it('answers an unknown edition with a French problem and a stable code', async () => {
    const response = await api(stack, 'GET', '/api/editions/nulle-part');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 404, code: 'edition_not_found' });
  });

  it('refuses the staff phase route without a token, with a forged token, and to a role it does not allow', async () => {
    const anonymous = await api(stack, 'GET', `${editionPath}/staff/phase`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthenticated');

    const [header, payload] = admin.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    expect((await api(stack, 'GET', `${editionPath}/staff/phase`, { token: forged })).status).toBe(401);

    const asCoordinator = await api(stack, 'POST', `${editionPath}/staff/phase`, {
      token: coordinator,
      body: { to: 'vote', reason: 'Essai non autorisé' },
    });
    expect(asCoordinator.status).toBe(403);
    expect(asCoordinator.body.code).toBe('forbidden');
    expect((await api(stack, 'GET', `${editionPath}/staff/phase`, { token: coordinator })).status).toBe(200);
  });

  it('refuses a bad phase change field by field, in French, without changing anything', async () => {
    const response = await api(stack, 'POST', `${editionPath}/staff/phase`, {
      token: admin,
      body: { to: 'bientôt', reason: '' },
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'body.reason',
      'body.to',
    ]);
    expect(
      response.body.errors.find((error: { field: string }) => error.field === 'body.reason').message,
    ).toMatch(/raison/);
    const malformed = await api(stack, 'POST', `${editionPath}/staff/phase`, {
      token: admin,
      rawBody: '{"to":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('malformed_json');
    expect((await api(stack, 'GET', editionPath)).body.phase.current).toBe(initialPhase);
  });

  it('emails every coordinator, in French, when an admin changes the phase', async () => {
    // Other files share the stack and may have sent phase emails before: this one is told by its reason.
    const reason = `Clôture anticipée pour la démonstration ${Date.now()}`;
    const response = await api(stack, 'POST', `${editionPath}/staff/phase`, {
      token: admin,
      body: { to: 'instruction', reason },
    });
    expect(response.status).toBe(200);
    expect(response.body.current).toBe('instruction');
    expect(response.body.history[0]).toMatchObject({
      from: initialPhase,
      to: 'instruction',
      actor: { kind: 'staff', role: 'admin' },
    });

    const mails = await eventually(async () => {
      const found = (await mailsWithSubject('« Instruction des idées »')).filter((mail) =>
        mail.body.text?.includes(reason),
      );
      return found.length >= coordinators.length ? found : undefined;
    });
    expect(mails.flatMap((mail) => mail.destination.to).sort()).toEqual([...coordinators].sort());
  });

  it('sends one email per coordinator even when the same change is delivered twice', async () => {
    const before = (await mailsWithSubject('« Vote »')).length;
    const detail = {
      version: PhaseChanged.version,
      edition: stack.edition,
      changeId: 'replayed-change',
      from: 'ballot-preparation',
      to: 'vote',
      changedAt: new Date().toISOString(),
      actor: { kind: 'schedule' },
    };
    await putEvent(stack, PhaseChanged, detail, 2);
    await busIdle();
    expect((await mailsWithSubject('« Vote »')).length - before).toBe(coordinators.length);
  });

  it('puts an event its consumer cannot handle in the dead-letter queue after the retries', async () => {
    await putEvent(stack, PhaseChanged, {
      version: 1,
      edition: stack.edition,
      changeId: 'broken',
      to: 'nowhere',
    });
    await busIdle();
    expect(JSON.stringify(await localBus(stack, 'dlq'))).toContain('"changeId":"broken"');
  });

  it('moves the phase by itself at the configured Paris time when the local clock reaches it', async () => {
    // Prepare: the count is under way.
    const counting = await api(stack, 'POST', `${editionPath}/staff/phase`, {
      token: admin,
      body: { to: 'counting', reason: 'Essai du passage automatique aux résultats' },
    });
    expect(counting.status, JSON.stringify(counting.body)).toBe(200);
    await busIdle();
    const edition = (await api(stack, 'GET', editionPath)).body.edition;
    const resultsAt = toInstant(edition.calendar.resultsAt, edition.timeZone);
    await fetch(`${stack.busUrl}/__local/clock/advance`, {
      method: 'POST',
      body: JSON.stringify({ to: new Date(resultsAt.getTime() - 60_000).toISOString() }),
    });
    await busIdle();
    expect((await api(stack, 'GET', editionPath)).body.phase.current).not.toBe('results');

    await fetch(`${stack.busUrl}/__local/clock/advance`, {
      method: 'POST',
      body: JSON.stringify({ ms: 120_000 }),
    });
    await busIdle();
    const state = await api(stack, 'GET', `${editionPath}/staff/phase`, { token: coordinator });
    expect(state.body.current).toBe('results');
    expect(state.body.history[0]).toMatchObject({ to: 'results', actor: { kind: 'schedule' } });
  });
});
