import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  type IScheduleGroup,
  ScheduleExpression,
  Schedule as ScheduleRule,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { Universal } from 'aws-cdk-lib/aws-scheduler-targets';
import { ArtifactsEncryptionMode, Canary, Code, Runtime, Schedule, Test } from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/**
 * The canary's script (Synthetics Node.js Puppeteer runtime, whose `Synthetics` module provides the browser): the
 * vote page loads, then the public edition answers with the vote phase and its window, as a citizen's browser
 * would ask for them. Plain JavaScript, inline: no bundle, no dependency.
 */
export const VOTE_CANARY_SCRIPT = `
const synthetics = require('Synthetics');

exports.handler = async () => {
  const site = process.env.SITE_URL;
  const edition = process.env.EDITION_ID;
  const page = await synthetics.getPage();
  await synthetics.executeStep('vote-page', async () => {
    const response = await page.goto(site + '/vote.html', { waitUntil: 'domcontentloaded', timeout: 20000 });
    if (!response || response.status() !== 200) throw new Error('vote page: HTTP ' + (response && response.status()));
  });
  await synthetics.executeStep('vote-window', async () => {
    const answer = await page.evaluate(async (url) => {
      const response = await fetch(url, { headers: { accept: 'application/json' } });
      return { status: response.status, body: await response.text() };
    }, site + '/api/editions/' + encodeURIComponent(edition));
    if (answer.status !== 200) throw new Error('edition API: HTTP ' + answer.status);
    const body = JSON.parse(answer.body);
    const vote = (body.calendar || []).find((step) => step.phase === 'vote');
    if (!body.phase || !vote) throw new Error('edition API: no phase or vote window in the answer');
  });
};
`;

export interface VoteCanaryProps {
  readonly editionId: string;
  readonly siteUrl: string;
  /** Wall-clock times (`2023-10-02T09:00`) read in `timeZone`: the canary runs from `opensAt` until `closesAt`. */
  readonly opensAt: string;
  readonly closesAt: string;
  readonly timeZone: string;
  readonly scheduleGroup: IScheduleGroup;
  /**
   * Between two runs.
   * @default Duration.minutes(5)
   */
  readonly every?: Duration;
}

/**
 * A synthetic citizen on the vote path during the vote only: the canary is created stopped, and two one-time
 * schedules start it when the vote opens and stop it a day after it closes (an extension is covered). Its alarm
 * (`successAlarmMetric`) is the page.
 */
export class VoteCanary extends Construct {
  readonly canary: Canary;
  /** Starts or stops Scheduler could not deliver. */
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: VoteCanaryProps) {
    super(scope, id);
    this.canary = new Canary(this, 'Canary', {
      runtime: Runtime.SYNTHETICS_NODEJS_PUPPETEER_9_1,
      test: Test.custom({ code: Code.fromInline(VOTE_CANARY_SCRIPT), handler: 'index.handler' }),
      schedule: Schedule.rate(props.every ?? Duration.minutes(5)),
      startAfterCreation: false,
      environmentVariables: { SITE_URL: props.siteUrl, EDITION_ID: props.editionId },
      timeout: Duration.minutes(1),
      successRetentionPeriod: Duration.days(7),
      failureRetentionPeriod: Duration.days(31),
      artifactS3EncryptionMode: ArtifactsEncryptionMode.S3_MANAGED,
      artifactsBucketLifecycleRules: [{ expiration: Duration.days(31) }],
      provisionedResourceCleanup: true,
    });

    const stack = Stack.of(this);
    const canaryArn = stack.formatArn({
      service: 'synthetics',
      resource: 'canary',
      resourceName: this.canary.canaryName,
    });
    const closes = new Date(`${props.closesAt}:00Z`);
    closes.setUTCDate(closes.getUTCDate() + 1);
    const runs: [string, 'startCanary' | 'stopCanary', string][] = [
      ['Start', 'startCanary', props.opensAt],
      ['Stop', 'stopCanary', closes.toISOString().slice(0, 16)],
    ];
    // One role for both schedules, assumable by Scheduler for this group only; failed starts and stops wait in a
    // dead-letter queue (alarmed with the others, see EditionMonitoring).
    const role = new Role(this, 'SchedulerRole', {
      description: `Budget participatif ${props.editionId}: starts and stops the vote canary`,
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': props.scheduleGroup.scheduleGroupArn,
          },
        },
      }),
    });
    this.deadLetters = new DeadLetterQueue(this, 'ScheduleDlq');
    this.deadLetters.queue.grantSendMessages(role);
    for (const [name, action, at] of runs) {
      new ScheduleRule(this, name, {
        scheduleGroup: props.scheduleGroup,
        schedule: ScheduleExpression.expression(`at(${at}:00)`, TimeZone.of(props.timeZone)),
        description: `Canary of the vote: ${action} (${props.editionId})`,
        timeWindow: TimeWindow.off(),
        target: new Universal({
          service: 'synthetics',
          action,
          input: ScheduleTargetInput.fromObject({ Name: this.canary.canaryName }),
          role,
          deadLetterQueue: this.deadLetters.queue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          policyStatements: [
            new PolicyStatement({
              actions: [`synthetics:${action === 'startCanary' ? 'StartCanary' : 'StopCanary'}`],
              resources: [canaryArn],
            }),
          ],
        }),
      });
    }
  }
}
