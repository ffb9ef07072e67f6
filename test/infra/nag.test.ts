import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp, fixtureConfig } from './build-edition.ts';

describe('cdk-nag (AwsSolutions) on an edition', () => {
  it('leaves no unacknowledged finding, error or warning, and synthesizes', () => {
    // Prepare
    const { app } = buildApp([fixtureConfig()]);

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} on ${resource.constructPath}`),
    );

    // Assess
    expect(findings).toEqual([]);
    // The plugin registered by buildEditionApp runs again at synth and would throw on any error.
    expect(() => app.synth()).not.toThrow();
  });

  it('gives every acknowledgement a reason and places it on the resource, not on a stack', () => {
    // Prepare
    const { app } = buildApp([fixtureConfig()]);

    // Act
    const acknowledgements = app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            path: construct.node.path,
            id,
            reason,
          })),
        ),
    );

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledgements) {
      expect(reason.length, `${id} on ${path}`).toBeGreaterThan(40);
      expect(path.split('/').length, `${id} on ${path}`).toBeGreaterThan(2);
    }
  });

  it('acknowledges CFR4 only while the site has no custom domain', () => {
    // Prepare
    const withDomain = buildApp([fixtureConfig()], {
      siteDomain: {
        domainName: 'budget.test-minimal.example',
        certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
      },
    });

    // Act
    const acknowledged = withDomain.app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as object));

    // Assess
    expect(acknowledged.some((id) => id.includes('AwsSolutions-CFR4'))).toBe(false);
    expect(new AwsSolutionsChecks().validateScope(withDomain.app).violations).toEqual([]);
    withDomain.editions[0]?.templates.web.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        Aliases: ['budget.test-minimal.example'],
        ViewerCertificate: { MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      },
    });
  });
});
