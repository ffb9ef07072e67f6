import { describe, expect, inject, it } from 'vitest';
import { api } from '../support/api.ts';
import { identityPath, openSession, readCode, requestCode, uniqueEmail } from '../support/identity.ts';
import '../support/stack-context.ts';

const stack = inject('stack');

async function capturedLogs(method: 'GET' | 'POST'): Promise<string[]> {
  const response = await fetch(stack.logsUrl, { method, signal: AbortSignal.timeout(5000) });
  return (await response.json()) as string[];
}

describe('no personal data in logs', () => {
  it('logs a full sign-in, profile read and erasure without any email address, name or birth date', async () => {
    // Prepare
    await capturedLogs('POST');
    const profile = {
      firstName: 'Gwenaëlle',
      lastName: 'Quéméneur',
      birthDate: '1977-11-23',
      commune: '44109',
    };
    const email = uniqueEmail();
    // Act: the sign-in step by step, to know the code that travelled.
    expect((await requestCode(stack, email)).status).toBe(202);
    const code = await readCode(stack, email);
    const response = await openSession(stack, { email, code, profile });
    const token = response.body?.token as string;
    await api(stack, 'GET', identityPath(stack, '/me'), { token });
    await api(stack, 'DELETE', identityPath(stack, '/me'), { token });
    // Assess
    expect(response.status).toBe(201);
    const lines = await capturedLogs('GET');
    expect(lines.some((line) => line.includes('citizen session opened'))).toBe(true);
    const text = lines.join('\n');
    expect(text).not.toContain(email);
    expect(text).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.-]+/);
    expect(code).toMatch(/^\d{6}$/);
    for (const value of [profile.firstName, profile.lastName, profile.birthDate, code, token])
      expect(text.toLowerCase()).not.toContain(value.toLowerCase());
  });
});
