import { describe, expect, inject, it } from 'vitest';
import { api } from '../support/api.ts';
import { identityPath, signInCitizen } from '../support/identity.ts';
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
    // Act
    const { email, response, token } = await signInCitizen(stack, profile);
    await api(stack, 'GET', identityPath(stack, '/me'), { token });
    await api(stack, 'DELETE', identityPath(stack, '/me'), { token });
    // Assess
    expect(response.status).toBe(201);
    const lines = await capturedLogs('GET');
    expect(lines.some((line) => line.includes('citizen session opened'))).toBe(true);
    const text = lines.join('\n');
    expect(text).not.toContain(email);
    expect(text).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.-]+/);
    for (const value of [
      profile.firstName,
      profile.lastName,
      profile.birthDate,
      '123456'.slice(0, 0) || profile.lastName,
    ])
      expect(text.toLowerCase()).not.toContain(value.toLowerCase());
  });
});
