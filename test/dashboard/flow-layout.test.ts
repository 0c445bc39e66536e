/**
 * The flow graph's layout, on a flow with a three-way split, an edge that skips layers, a loop
 * back through a wait and a step that ends the run: boxes never overlap, every edge but a loop
 * goes down, no edge runs under a box it does not join, and loops go round the right side.
 */
import { describe, expect, it } from 'vitest';
import { BOX_H, BOX_W, layout } from '../../dashboard/src/components/flow-layout.js';

const document = {
  trigger: { kind: 'manual' }, entry: { re_entry: 'never' }, exit_when: [], holdout_share: 0.1,
  steps: [
    { id: 'start', type: 'split', branches: [{ weight: 1, next: 'a' }, { weight: 1, next: 'b' }, { weight: 1, next: 'late' }] },
    { id: 'a', type: 'send_email', template_id: 'tpl_a', purpose: 'marketing', next: 'ask' },
    { id: 'b', type: 'tag', tag: 'b', next: 'ask' },
    { id: 'ask', type: 'wait_for_event', event: 'Review Written', timeout: { days: 3 }, next: 'late', timeout_next: 'again' },
    { id: 'again', type: 'wait', duration: { days: 1 }, next: 'ask' },
    { id: 'late', type: 'send_email', template_id: 'tpl_b', purpose: 'marketing' },
  ],
};

const inside = (p: { x: number; y: number }, box: { x: number; y: number }) => p.x > box.x && p.x < box.x + BOX_W && p.y > box.y && p.y < box.y + BOX_H;

describe('flow graph layout', () => {
  const { boxes, edges, width, height } = layout(document);

  it('places every step once, without overlaps, inside the drawing', () => {
    expect([...boxes.keys()].sort()).toEqual(document.steps.map((s) => s.id).sort());
    const placed = [...boxes.values()];
    for (const [i, a] of placed.entries()) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.x + BOX_W).toBeLessThanOrEqual(width);
      expect(a.y + BOX_H).toBeLessThanOrEqual(height);
      for (const b of placed.slice(i + 1)) expect(a.x + BOX_W <= b.x || b.x + BOX_W <= a.x || a.y + BOX_H <= b.y || b.y + BOX_H <= a.y).toBe(true);
    }
  });

  it('puts each step below every step that leads to it, except along a loop', () => {
    for (const edge of edges.filter((e) => e.to !== null && !e.back)) expect(boxes.get(edge.to!)!.layer, `${edge.from} → ${edge.to}`).toBeGreaterThan(boxes.get(edge.from)!.layer);
    expect(edges.filter((e) => e.back).map((e) => `${e.from} → ${e.to}`)).toEqual(['again → ask']);
    // The split's three branches sit side by side.
    expect(new Set(['a', 'b'].map((id) => boxes.get(id)!.layer)).size).toBe(1);
  });

  it('routes edges round the boxes they do not join, and loops round the right side', () => {
    for (const edge of edges) {
      for (const [id, box] of boxes) {
        if (id === edge.from || id === edge.to) continue;
        for (const point of edge.points) expect(inside(point, box), `${edge.from} → ${edge.to} at ${id}`).toBe(false);
      }
    }
    const rightmost = Math.max(...[...boxes.values()].map((b) => b.x + BOX_W));
    const loop = edges.find((e) => e.back)!;
    expect(Math.min(loop.points[1]!.x, loop.points[2]!.x)).toBeGreaterThan(rightmost);
    // The split's edge to "late" skips layers, through slots.
    expect(edges.find((e) => e.from === 'start' && e.to === 'late')!.points.length).toBeGreaterThan(2);
  });

  it('ends the last step with a stub that goes nowhere', () => {
    const end = edges.find((e) => e.from === 'late')!;
    expect(end.to).toBeNull();
    expect(end.points[1]!.y).toBeGreaterThan(end.points[0]!.y);
    expect(end.points[1]!.y).toBeLessThanOrEqual(height);
  });
});
