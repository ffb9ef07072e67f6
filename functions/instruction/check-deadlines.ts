import {
  DeadlineApproaching,
  DeadlineMissed,
  InstructionDigestReady,
} from '../../shared/events/catalogue.ts';
import { deadlineFindings, instructionDigest } from './dossier.ts';
import type { InstructionDeps } from './instruction-deps.ts';

/**
 * The daily deadline check of a Paris day (`day`, from the schedule's occurrence): publishes
 * `DeadlineApproaching` for assignments due on the third working day ahead, `DeadlineMissed` for those past
 * due (each once per assignment, reason and due date), and one `InstructionDigestReady` per day. Each
 * publication is guarded by a marker claimed first (released if the publication fails, so the Scheduler's
 * retry publishes it): a second run of the same day publishes nothing twice.
 */
export async function checkDeadlines(
  deps: InstructionDeps,
  input: { day: string },
): Promise<{ approaching: number; missed: number; digest: boolean }> {
  const [assignments, dossiers] = await Promise.all([
    deps.repository.listAssignments(),
    deps.repository.listDossierStates(),
  ]);
  const checkedAt = deps.now().toISOString();
  const once = async (key: string, publish: () => Promise<void>): Promise<boolean> => {
    if (!(await deps.repository.claimMarker(key, checkedAt))) return false;
    try {
      await publish();
      return true;
    } catch (error) {
      await deps.repository.releaseMarker(key).catch(() => undefined);
      throw error;
    }
  };
  let approaching = 0;
  let missed = 0;
  for (const { assignment, reason } of deadlineFindings(assignments, dossiers, input.day)) {
    const detail = {
      edition: deps.edition,
      assignmentId: assignment.assignmentId,
      ideaId: assignment.ideaId,
      serviceId: assignment.serviceId,
      dueDate: assignment.dueDate,
      checkedAt,
    };
    const published = await once(`${reason}#${assignment.assignmentId}#${assignment.dueDate}`, () =>
      deps.events.publish(reason === 'approaching' ? DeadlineApproaching : DeadlineMissed, detail),
    );
    if (published && reason === 'approaching') approaching++;
    if (published && reason === 'missed') missed++;
  }
  const digest = instructionDigest(assignments, dossiers, input.day);
  const digestPublished = await once(`DIGEST#${input.day}`, () =>
    deps.events.publish(InstructionDigestReady, {
      edition: deps.edition,
      digestDate: input.day,
      counts: digest.counts,
      overdue: digest.overdue,
      checkedAt,
    }),
  );
  return { approaching, missed, digest: digestPublished };
}
