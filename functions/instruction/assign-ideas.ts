import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { conflict } from '../../shared/errors/domain-error.ts';
import type { AssignBody } from '../../shared/http/instruction-schemas.ts';
import { type Assignment, assignmentIdOf, type IdeaRecord } from './dossier.ts';
import {
  actorOf,
  eventActor,
  type InstructionDeps,
  ideaNotFound,
  invalidField,
  parisDay,
  requirePhase,
  type Staff,
} from './instruction-deps.ts';
import { instructionEvent, publishInstructionEvents } from './instruction-outbox.ts';

/** Ideas may be assigned as soon as they are published, and until the instruction ends. */
const ASSIGNMENT_PHASES = ['ideas', 'instruction'] as const;

/**
 * Assigns published ideas (listed, or all of a theme/territory) to services, each with a future due date.
 * Idempotent per idea × service: an existing assignment is returned unchanged. Emits `IdeaAssigned` once
 * per assignment created, through the outbox (written with the assignment, published after).
 */
export async function assignIdeas(
  deps: InstructionDeps,
  config: EditionConfig,
  input: { body: AssignBody; staff: Staff },
): Promise<{ assignment: Assignment; created: boolean }[]> {
  const { body, staff } = input;
  await requirePhase(deps, ASSIGNMENT_PHASES, 'L’affectation des idées');
  const now = deps.now();
  const today = parisDay(now, config);
  body.services.forEach((service, i) => {
    if (!config.services.some((known) => known.id === service.serviceId))
      throw invalidField(`body.services.${i}.serviceId`, `Service inconnu : ${service.serviceId}`);
    if (service.dueDate <= today)
      throw invalidField(
        `body.services.${i}.dueDate`,
        `L’échéance doit être un jour à venir (après le ${today.split('-').reverse().join('/')})`,
      );
  });
  if (body.theme && !config.themes.some((theme) => theme.id === body.theme))
    throw invalidField('body.theme', `Thème inconnu : ${body.theme}`);
  if (body.territory && !config.territories.some((territory) => territory.id === body.territory))
    throw invalidField('body.territory', `Territoire inconnu : ${body.territory}`);

  const ideas = body.ideaIds ? await listedIdeas(deps, body.ideaIds) : await bulkIdeas(deps, body);
  const at = now.toISOString();
  const results: { assignment: Assignment; created: boolean }[] = [];
  for (const idea of ideas) {
    for (const service of body.services) {
      const assignment: Assignment = {
        assignmentId: assignmentIdOf(idea.ideaId, service.serviceId),
        ideaId: idea.ideaId,
        serviceId: service.serviceId,
        status: 'assigned',
        dueDate: service.dueDate,
        assignedAt: at,
        assignedBy: actorOf(staff),
        opinions: {},
        revision: 1,
      };
      const serviceName = config.services.find((s) => s.id === service.serviceId)?.name ?? service.serviceId;
      const timelineId = deps.newId();
      const assigned = instructionEvent(
        'IdeaAssigned',
        {
          edition: deps.edition,
          assignmentId: assignment.assignmentId,
          ideaId: idea.ideaId,
          serviceId: service.serviceId,
          dueDate: service.dueDate,
          assignedAt: at,
          actor: eventActor(staff),
        },
        { eventId: timelineId, at },
      );
      const created = await deps.repository.createAssignment(
        assignment,
        {
          id: timelineId,
          ideaId: idea.ideaId,
          kind: 'assigned',
          at,
          by: actorOf(staff),
          assignmentId: assignment.assignmentId,
          serviceId: service.serviceId,
          summary: `Affectée à ${serviceName}, avis attendu le ${service.dueDate.split('-').reverse().join('/')}`,
        },
        [assigned],
      );
      if (created) {
        await publishInstructionEvents(deps, [assigned]);
        results.push({ assignment, created: true });
      } else {
        const existing = await deps.repository.getAssignment(assignment);
        if (existing) results.push({ assignment: existing, created: false });
      }
    }
  }
  return results;
}

async function listedIdeas(deps: InstructionDeps, ideaIds: readonly string[]): Promise<IdeaRecord[]> {
  const ideas: IdeaRecord[] = [];
  for (const ideaId of new Set(ideaIds)) {
    const idea = await deps.repository.getIdea(ideaId);
    if (!idea) throw ideaNotFound(ideaId);
    if (idea.status !== 'published')
      throw conflict(
        'idea_not_published',
        `L’idée « ${idea.title} » n’est pas publiée : elle ne peut pas être instruite.`,
      );
    ideas.push(idea);
  }
  return ideas;
}

async function bulkIdeas(deps: InstructionDeps, body: AssignBody): Promise<IdeaRecord[]> {
  return (await deps.repository.publishedIdeas()).filter(
    (idea) =>
      (!body.theme || idea.theme === body.theme) && (!body.territory || idea.territory === body.territory),
  );
}
