import { beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN_VERIFY_HEADER } from '../../shared/http/origin.ts';
import { FUNCTIONS, ORIGIN_VERIFY_SECRET_ID } from '../../shared/manifest.ts';
import { type BuiltEdition, buildApp, fixtureConfig } from './build-edition.ts';

describe('the origin secret between CloudFront and the API', () => {
  let edition: BuiltEdition;

  beforeAll(() => {
    // Prepare
    const { editions } = buildApp([fixtureConfig()]);
    edition = editions[0] as BuiltEdition;
  });

  it('adds the origin-verify secret as a custom header of the API origin, as a dynamic reference', () => {
    // Act
    const distribution = Object.values(
      edition.templates.web.findResources('AWS::CloudFront::Distribution'),
    )[0] as { Properties: { DistributionConfig: { Origins: Record<string, unknown>[] } } };
    const apiOrigin = distribution.Properties.DistributionConfig.Origins.find(
      (origin) => origin.CustomOriginConfig !== undefined,
    ) as { OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[] };

    // Assess: the header is there, its value resolved from Secrets Manager at deploy (never in clear).
    const header = apiOrigin.OriginCustomHeaders?.find((h) => h.HeaderName === ORIGIN_VERIFY_HEADER);
    expect(header).toBeDefined();
    const value = JSON.stringify(header?.HeaderValue);
    expect(value).toContain('{{resolve:secretsmanager:');
    // The secret is the Data stack's one, which the identity function reads.
    const secretIds = Object.keys(edition.templates.data.findResources('AWS::SecretsManager::Secret'));
    const originSecretId = secretIds.find((id) => id.includes(ORIGIN_VERIFY_SECRET_ID.replace(/-/g, '')));
    expect(originSecretId).toBeDefined();
    // The S3 origin gets no such header: only the API needs the proof.
    expect(
      distribution.Properties.DistributionConfig.Origins.filter(
        (origin) => origin.OriginCustomHeaders !== undefined,
      ),
    ).toHaveLength(1);
  });

  it('gives every HTTP function the secret, so that each refuses a request that went around CloudFront', () => {
    const functions = Object.values(edition.templates.functions.findResources('AWS::Lambda::Function')) as {
      Properties: { Description?: string; Environment?: { Variables?: Record<string, unknown> } };
    }[];
    const http = FUNCTIONS.filter((fn) => fn.routes.length > 0);
    expect(http.map((fn) => fn.name)).toEqual(
      expect.arrayContaining(['identity', 'voting', 'ideas', 'results']),
    );
    for (const spec of http) {
      const found = functions.find((fn) => fn.Properties.Description === spec.description.slice(0, 256));
      expect(found, spec.name).toBeDefined();
      // shared/http/http-handler.ts enforces the header whenever this variable is set (granted: permissions test).
      expect(found?.Properties.Environment?.Variables?.ORIGIN_VERIFY_SECRET, spec.name).toBeDefined();
    }
  });
});
