import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/edition-app.ts';
import { type BuiltEdition, buildApp, fixtureConfig } from './build-edition.ts';

interface BucketDeploymentProperties {
  SourceObjectKeys: string[];
  SourceMarkers: Record<string, unknown>[];
}

function deploymentOf(edition: BuiltEdition): BucketDeploymentProperties {
  const [deployment] = Object.values(edition.templates.web.findResources('Custom::CDKBucketDeployment'));
  return (deployment as { Properties: BucketDeploymentProperties }).Properties;
}

describe('the site content of an edition', () => {
  it('publishes config.json with the edition, the /api base and the Cognito ids the site signs in with', () => {
    // Prepare
    const { app, editions } = buildApp([fixtureConfig()]);
    const edition = editions[0] as BuiltEdition;

    // Act
    const assembly = app.synth();
    const deployment = deploymentOf(edition);
    const configKey = deployment.SourceObjectKeys.at(-1) ?? '';
    const configJson = readFileSync(
      join(assembly.directory, `asset.${configKey.replace(/\.zip$/, '')}`, 'config.json'),
      'utf8',
    );

    // Assess
    expect(JSON.parse(configJson)).toEqual({
      edition: 'test-minimal',
      apiBase: '/api',
      cognito: {
        region: 'eu-west-3',
        userPoolId: '<<marker:0xbaba:0>>',
        clientId: '<<marker:0xbaba:1>>',
        endpoint: 'https://cognito-idp.eu-west-3.amazonaws.com/',
      },
    });
    // The markers are replaced at deploy time by the pool and client ids exported by the auth stack.
    expect(JSON.stringify(deployment.SourceMarkers.at(-1))).toMatch(
      /Bp-test-minimal-Auth:ExportsOutputRefStaffPool.*WebClient/,
    );
  });

  it('publishes the edition’s logo from the edition folder as edition-logo.svg, and as a PNG for the emails', () => {
    // Prepare
    const { app, editions } = buildApp([fixtureConfig()], {
      webDist: '/nonexistent/web/dist',
      editionDir: join(PROJECT_ROOT, 'test', 'fixtures'),
    });
    const edition = editions[0] as BuiltEdition;

    // Act
    const assembly = app.synth();
    const deployment = deploymentOf(edition);
    const logoKey = deployment.SourceObjectKeys[0] ?? '';
    const logo = readFileSync(
      join(assembly.directory, `asset.${logoKey.replace(/\.zip$/, '')}`, 'edition-logo.svg'),
      'utf8',
    );

    const pngKey = deployment.SourceObjectKeys[1] ?? '';
    const png = readFileSync(
      join(assembly.directory, `asset.${pngKey.replace(/\.zip$/, '')}`, 'edition-logo.png'),
    );

    // Assess
    expect(deployment.SourceObjectKeys).toHaveLength(3);
    expect(logo).toBe(readFileSync(join(PROJECT_ROOT, 'test', 'fixtures', 'test-minimal.logo.svg'), 'utf8'));
    // The PNG the emails show: a real PNG (its signature), 112 px wide.
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(112);
    Annotations.fromStack(edition.stacks.web).hasNoWarning(
      '/Bp-test-minimal-Web',
      Match.stringLikeRegexp('No logo'),
    );
  });

  it('deploys only config.json, and says so, when the site has not been built', () => {
    // Prepare
    const { editions } = buildApp([fixtureConfig()], { webDist: '/nonexistent/web/dist' });
    const edition = editions[0] as BuiltEdition;

    // Act
    const deployment = deploymentOf(edition);

    // Assess
    expect(deployment.SourceObjectKeys).toHaveLength(1);
    Annotations.fromStack(edition.stacks.web).hasWarning(
      '/Bp-test-minimal-Web',
      Match.stringLikeRegexp('No built site at /nonexistent/web/dist'),
    );
  });
});
