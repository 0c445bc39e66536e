/**
 * The graph of a flow document: ids are unique, every pointer lands on a step, every step can be
 * reached from the first, and every loop passes through a wait (a loop of instant steps would
 * run forever inside one job). Problems name their path (`steps.2.next`), as zod's do.
 */
import type { ErrorDetail } from '../../lib/errors.js';
import { exitsOf, type FlowDocument, type Step } from './flow.schema.js';

const waits = (step: Step) => step.type === 'wait' || step.type === 'wait_for_event';

export function graphProblems(document: Pick<FlowDocument, 'steps'>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const index = new Map<string, number>();
  document.steps.forEach((step, i) => {
    if (index.has(step.id)) problems.push({ path: `steps.${i}.id`, reason: `"${step.id}" is also the id of steps.${index.get(step.id)}` });
    else index.set(step.id, i);
  });
  document.steps.forEach((step, i) => {
    for (const exit of exitsOf(step)) {
      if (exit.to === undefined) continue;
      if (!index.has(exit.to)) problems.push({ path: `steps.${i}.${exit.field}`, reason: `no step "${exit.to}"` });
    }
  });
  if (problems.length) return problems;

  const successors = (i: number) => exitsOf(document.steps[i]!).flatMap((e) => (e.to === undefined ? [] : [index.get(e.to)!]));
  const reached = new Set<number>([0]);
  const stack = [0];
  while (stack.length) {
    for (const j of successors(stack.pop()!)) {
      if (reached.has(j)) continue;
      reached.add(j);
      stack.push(j);
    }
  }
  document.steps.forEach((step, i) => {
    if (!reached.has(i)) problems.push({ path: `steps.${i}`, reason: `step "${step.id}" cannot be reached from the first step` });
  });

  // A loop among steps that take no time: depth-first search over the instant steps only.
  const state = new Map<number, 'open' | 'done'>();
  const loop = (i: number, trail: number[]): number[] | undefined => {
    if (waits(document.steps[i]!)) return undefined;
    if (state.get(i) === 'done') return undefined;
    if (state.get(i) === 'open') return [...trail.slice(trail.indexOf(i)), i];
    state.set(i, 'open');
    for (const j of successors(i)) {
      const found = loop(j, [...trail, i]);
      if (found) return found;
    }
    state.set(i, 'done');
    return undefined;
  };
  for (let i = 0; i < document.steps.length; i += 1) {
    const found = loop(i, []);
    if (found) {
      const names = found.map((j) => document.steps[j]!.id).join(' → ');
      problems.push({ path: `steps.${found[0]}`, reason: `the steps ${names} loop without a wait` });
      break;
    }
  }
  return problems;
}
