import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Integration and e2e files share one local stack (phase, clock, schedules): run them in one fixed order,
 * the same on every machine, instead of vitest's default (by cached duration, or by file size on a clean
 * clone), so a run on CI meets the states a run here met. Files still set up the state they need.
 */
export default class PathOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}
