/**
 * The contact center of bench/taskrouter-bench.ts: ten TaskQueues selecting
 * workers by skills, languages and level, two Workflows whose nine filters
 * route tasks by type, language and VIP flag to targets with worker expressions
 * (`worker.level >= task.min_level`, `worker.languages HAS task.language`),
 * priorities, timeouts and an order_by; the workers' and tasks' attributes
 * drawn from a seeded generator, so that every run offers the same work.
 *
 * Sized so that at the default load (2,000 tasks/s, 150 ms mean handling,
 * 1,000 workers) about 30 % of the workers are busy and every queue has
 * eligible workers to spare: a task's wait is then the engine's own time,
 * not a queue of customers.
 */
import type { WorkspaceEntry } from '../engine/taskrouter/taskrouter-service.js';
import { prng as random } from '../test/support/prng.js';

/** The seeded generator the tests use: the same sequence for the same seed. */
export { random };

function pick<T>(rand: () => number, weighted: readonly (readonly [T, number])[]): T {
  let x = rand() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted[weighted.length - 1]![0];
}

/** TaskQueue name -> TargetWorkers. */
export const QUEUES: readonly (readonly [string, string])[] = [
  ['Billing EN', 'skills HAS "billing" AND languages HAS "en"'],
  ['Billing ES', 'skills HAS "billing" AND languages HAS "es"'],
  ['Support EN', 'skills HAS "support" AND languages HAS "en"'],
  ['Support ES', 'skills HAS "support" AND languages HAS "es"'],
  ['Tech', 'skills HAS "tech" AND level >= 2'],
  ['Sales', 'skills HAS "sales" AND languages HAS "en"'],
  ['Retention', 'skills HAS "retention" AND level >= 3'],
  ['Europe', 'languages HAS "fr" OR languages HAS "de"'],
  ['VIP', 'level >= 4 AND (skills HAS "billing" OR skills HAS "support")'],
  ['Everyone', '1 == 1'],
];

/**
 * The two workflows' configurations, given the queues' sids by name. One
 * workflow would do, but the engine takes a Configuration of at most 1,024
 * characters, and a SID alone is 34: the nine filters are split between a
 * service line (billing, support) and a sales-and-tech line, as an IVR
 * would send its callers to one or the other.
 */
export function workflowConfigurations(q: Record<string, string>): { service: string; salesTech: string } {
  const service = {
    task_routing: {
      filters: [
        {
          expression: 'vip == true',
          targets: [{ queue: q['VIP'], expression: 'worker.level >= task.min_level', priority: 10, timeout: 30 }, { queue: q['Support EN'] }],
        },
        { expression: 'language IN ["fr","de"]', targets: [{ queue: q['Europe'], expression: 'worker.languages HAS task.language' }] },
        { expression: 'type == "billing" AND language == "es"', targets: [{ queue: q['Billing ES'] }] },
        { expression: 'type == "support" AND language == "es"', targets: [{ queue: q['Support ES'] }] },
        // A second target without a queue stays in the first one's (the expression no longer applies).
        { expression: 'type == "billing"', targets: [{ queue: q['Billing EN'], expression: 'worker.level >= task.min_level', timeout: 20 }, {}] },
        { expression: 'type == "support"', targets: [{ queue: q['Support EN'], expression: 'worker.level >= task.min_level', timeout: 20 }, {}] },
      ],
      default_filter: { queue: q['Everyone'] },
    },
  };
  const salesTech = {
    task_routing: {
      filters: [
        {
          filter_friendly_name: 'Tech',
          expression: 'type == "tech"',
          targets: [{ queue: q['Tech'], expression: 'worker.level >= task.min_level AND worker.languages HAS task.language', timeout: 30 }, {}],
        },
        { filter_friendly_name: 'Sales', expression: 'type == "sales" AND language IN ["en","es"]', targets: [{ queue: q['Sales'], order_by: 'worker.level DESC' }] },
        { filter_friendly_name: 'Retention', expression: 'type == "retention"', targets: [{ queue: q['Retention'], expression: 'worker.languages HAS task.language', timeout: 30 }, { queue: q['Everyone'] }] },
      ],
      default_filter: { queue: q['Everyone'] },
    },
  };
  return { service: JSON.stringify(service), salesTech: JSON.stringify(salesTech) };
}

/** Which workflow a task of that type is sent to. */
export const SERVICE_TYPES: ReadonlySet<string> = new Set(['billing', 'support']);

const SKILLS = [
  ['billing', 0.45],
  ['support', 0.5],
  ['tech', 0.3],
  ['sales', 0.25],
  ['retention', 0.2],
] as const;
const LANGUAGES = [
  ['en', 0.9],
  ['es', 0.3],
  ['fr', 0.1],
  ['de', 0.1],
] as const;

export function workerAttributes(rand: () => number, i: number): string {
  const skills = SKILLS.filter(([, p]) => rand() < p).map(([s]) => s as string);
  if (skills.length === 0) skills.push(SKILLS[Math.floor(rand() * SKILLS.length)]![0]);
  const languages = LANGUAGES.filter(([, p]) => rand() < p).map(([l]) => l as string);
  if (languages.length === 0) languages.push('en');
  return JSON.stringify({
    skills,
    languages,
    level: 1 + Math.floor(rand() * 5),
    region: rand() < 0.7 ? 'us' : 'eu',
    contact_uri: `client:agent${i}`,
  });
}

/** A task's attributes (JSON text), and the workflow it goes to. */
export function taskAttributes(rand: () => number, i: number): { text: string; service: boolean } {
  const type = pick(rand, [['billing', 30], ['support', 35], ['tech', 15], ['sales', 10], ['retention', 5], ['other', 5]]);
  const language = pick(rand, [['en', 75], ['es', 15], ['fr', 5], ['de', 5]]);
  const text = JSON.stringify({
    type,
    language,
    min_level: 1 + Math.floor(rand() * 3),
    vip: rand() < 0.05,
    from: `+1555${String(1_000_000 + i).slice(-7)}`,
    call_sid: `CA${i.toString(16).padStart(32, '0')}`,
    channel: 'voice',
  });
  return { text, service: SERVICE_TYPES.has(type) };
}

/** Builds the contact center in the entry's workspace: the two workflows' sids, and how many workers each queue selects. */
export function buildContactCenter(entry: WorkspaceEntry, workers: number, seed: number): { service: string; salesTech: string; queueMembers: Record<string, number> } {
  const res = entry.resources;
  const sids: Record<string, string> = {};
  for (const [name, target] of QUEUES) sids[name] = res.createQueue({ friendlyName: name, targetWorkers: target }).record.sid;
  const config = workflowConfigurations(sids);
  const service = res.createWorkflow({ friendlyName: 'Service', configuration: config.service, taskReservationTimeout: 120 }).record.sid;
  const salesTech = res.createWorkflow({ friendlyName: 'Sales and tech', configuration: config.salesTech, taskReservationTimeout: 120 }).record.sid;
  const available = [...entry.ws.state.activities.values()].find((a) => a.friendlyName === 'Available')?.sid;
  if (!available) throw new Error('the workspace has no Available activity');
  const rand = random(seed);
  for (let i = 0; i < workers; i++) {
    const w = res.createWorker({ friendlyName: `agent-${i}`, attributes: workerAttributes(rand, i) });
    res.updateWorker(w.record.sid, { activitySid: available });
  }
  const queueMembers: Record<string, number> = {};
  for (const [name] of QUEUES) queueMembers[name] = entry.ws.state.queues.get(sids[name]!)?.members.size ?? 0;
  return { service, salesTech, queueMembers };
}
