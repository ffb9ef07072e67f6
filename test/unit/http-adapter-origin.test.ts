import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpAdapter } from '../../local/http-adapter.ts';

describe('the local HTTP adapter stands in for CloudFront at the edge', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  async function adapterSeeing(originSecret?: string) {
    const events: APIGatewayProxyEventV2[] = [];
    const adapter = await startHttpAdapter({
      port: 0,
      staticDir: mkdtempSync(join(tmpdir(), 'bp-adapter-')),
      siteConfig: () => ({}),
      invoke: async (_name, event) => {
        events.push(event as APIGatewayProxyEventV2);
        return { statusCode: 204 };
      },
      ...(originSecret ? { originSecret: () => originSecret } : {}),
    });
    stops.push(adapter.stop);
    return { url: adapter.url, events };
  }

  it('drops a client’s copy of the edge headers, and adds the viewer address and the origin secret itself', async () => {
    // Prepare
    const { url, events } = await adapterSeeing('the-origin-secret');

    // Act: a client forging both headers.
    await fetch(`${url}/api/editions/demo/identity/code`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'cloudfront-viewer-address': '198.51.100.9:1234',
        'x-bp-origin-verify': 'forged',
      },
      body: '{}',
    });

    // Assess: what reaches the function is what CloudFront would send.
    const headers = events[0]?.headers ?? {};
    expect(headers['x-bp-origin-verify']).toBe('the-origin-secret');
    expect(headers['cloudfront-viewer-address']).toMatch(/^(127\.0\.0\.1|::ffff:127\.0\.0\.1):\d+$/);
    expect(JSON.stringify(events[0])).not.toContain('198.51.100.9');
    expect(JSON.stringify(events[0])).not.toContain('forged');
  });

  it('passes no origin header at all when it has no secret, even one a client sent', async () => {
    const { url, events } = await adapterSeeing();
    await fetch(`${url}/api/editions/demo/identity/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-BP-Origin-Verify': 'forged' },
      body: '{}',
    });
    expect(events[0]?.headers['x-bp-origin-verify']).toBeUndefined();
  });
});
