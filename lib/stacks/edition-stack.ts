import { CrossStackReferences, ReferenceStrength, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export interface EditionStackProps extends StackProps {
  readonly editionId: string;
}

/** Base of every stack of an edition: tagged with the edition, explicit cross-stack reference strength. */
export class EditionStack extends Stack {
  readonly editionId: string;

  constructor(scope: Construct, id: string, props: EditionStackProps) {
    super(scope, id, props);
    this.editionId = props.editionId;
    // Strong references (exports/imports), set before any child exists as CDK requires: CloudFormation then
    // refuses to delete the table, bus, pool or API while the edition's functions still use them.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    // Dashboards are left out: cfn-lint's schema (1.51) does not know their new Tags property yet.
    const tagged = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
    Tags.of(this).add('bp:edition', props.editionId, tagged);
    Tags.of(this).add('bp:application', 'budget-participatif', tagged);
  }
}
