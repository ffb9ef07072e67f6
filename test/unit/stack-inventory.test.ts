import { describe, expect, it } from 'vitest';
import { inventoryOf } from '../../bench/stack-inventory.ts';

describe('the bill’s fixed items, counted in the synthesized templates (bench:cost)', () => {
  it('counts alarms, dashboards, WAF rules, secrets, canary runs and the user pool’s plan across stacks', () => {
    // Prepare: two stacks as CloudFormation templates, with resources the bill ignores in between.
    const functions = {
      Resources: {
        A1: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
        A2: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
        C1: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: {} },
        D1: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} },
        F1: { Type: 'AWS::Lambda::Function', Properties: {} },
        Q1: { Type: 'AWS::SQS::Queue', Properties: {} },
        K1: { Type: 'AWS::Synthetics::Canary', Properties: { Schedule: { Expression: 'rate(5 minutes)' } } },
      },
    };
    const edge = {
      Resources: {
        W1: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [{ Name: 'rate' }, { Name: 'common' }, {}] } },
        S1: { Type: 'AWS::SecretsManager::Secret' },
        P1: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolTier: 'PLUS' } },
        P2: { Type: 'AWS::Cognito::UserPool', Properties: {} },
      },
    };

    // Act
    const inventory = inventoryOf([functions, edge, {}]);

    // Assess
    expect(inventory).toEqual({
      alarms: 3,
      dashboards: 1,
      webAcls: 1,
      wafRules: 3,
      secrets: 1,
      queues: 1,
      kmsKeys: 0,
      canaryRunsPerMonth: (30 * 24 * 60) / 5,
      canaryRunsPerEdition: 0,
      metricFilters: 0,
      userPoolTiers: ['PLUS', 'ESSENTIALS'],
    });
  });

  it('prices a canary created stopped by the window its start and stop schedules open, once', () => {
    const template = {
      Resources: {
        K1: {
          Type: 'AWS::Synthetics::Canary',
          Properties: { Schedule: { Expression: 'rate(5 minutes)' }, StartCanaryAfterCreation: false },
        },
        S1: {
          Type: 'AWS::Scheduler::Schedule',
          Properties: {
            ScheduleExpression: 'at(2027-06-01T09:00:00)',
            Target: { Arn: 'arn:aws:scheduler:::aws-sdk:synthetics:startCanary' },
          },
        },
        S2: {
          Type: 'AWS::Scheduler::Schedule',
          Properties: {
            ScheduleExpression: 'at(2027-06-22T09:00:00)',
            Target: { Arn: 'arn:aws:scheduler:::aws-sdk:synthetics:stopCanary' },
          },
        },
        M1: { Type: 'AWS::Logs::MetricFilter', Properties: {} },
      },
    };
    const inventory = inventoryOf([template]);
    expect(inventory.canaryRunsPerMonth).toBe(0);
    // 21 days every 5 minutes.
    expect(inventory.canaryRunsPerEdition).toBe((21 * 24 * 60) / 5);
    expect(inventory.metricFilters).toBe(1);
  });
});
