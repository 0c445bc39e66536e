/**
 * The layout of a flow's graph: a step's layer is the longest path to it from the first step
 * (edges back up — a loop through a wait — are left out of that and go round the right side); an
 * edge that spans several layers passes through a narrow slot in each, so it never runs under a
 * box; within a layer, boxes sit under the steps that lead to them (the mean position of those).
 */

/** What the layout reads of a step (any step of a flow document fits it). */
export interface GraphStep {
  id: string;
  type: string;
  next?: string | undefined;
  yes?: string | undefined;
  no?: string | undefined;
  timeout_next?: string | undefined;
  branches?: readonly { next?: string | undefined }[];
}

/** Where a step leads: the steps after it, by the field that says so (none: the run ends there). */
export function exitsOf(step: GraphStep): { field: string; to: string | undefined }[] {
  switch (step.type) {
    case 'condition': return [{ field: 'yes', to: step.yes }, { field: 'no', to: step.no }];
    case 'split': return (step.branches ?? []).map((b, i) => ({ field: `branches.${i}.next`, to: b.next }));
    case 'wait_for_event': return [{ field: 'next', to: step.next }, { field: 'timeout_next', to: step.timeout_next }];
    case 'exit': return [];
    default: return [{ field: 'next', to: step.next }];
  }
}

export const BOX_W = 200;
export const BOX_H = 80;
const SLOT_W = 24;
const GAP_X = 32;
export const GAP_Y = 64;
const PAD = 16;
const LOOP_ROOM = 100;
const END_STUB = 30;

interface Item { key: string; step?: string; width: number; preds: string[]; x: number; order: number }

/** `to` null: the way out that ends the run (a step with nothing after it), drawn as a short stub. */
export interface Edge { from: string; field: string; to: string | null; back: boolean; points: { x: number; y: number }[] }

export interface Layout {
  boxes: Map<string, { x: number; y: number; layer: number }>;
  edges: Edge[];
  width: number;
  height: number;
}

/** Edges that close a loop: those to a step still on the depth-first path. */
function backEdges(document: { steps: readonly GraphStep[] }): Set<string> {
  const byId = new Map(document.steps.map((s) => [s.id, s]));
  const back = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string) => {
    state.set(id, 'open');
    for (const exit of exitsOf(byId.get(id)!)) {
      if (!exit.to || !byId.has(exit.to)) continue;
      if (state.get(exit.to) === 'open') back.add(`${id}\n${exit.field}`);
      else if (!state.has(exit.to)) visit(exit.to);
    }
    state.set(id, 'done');
  };
  for (const step of document.steps) if (!state.has(step.id)) visit(step.id);
  return back;
}

export function layout(document: { steps: readonly GraphStep[] }): Layout {
  const byId = new Map(document.steps.map((s) => [s.id, s]));
  const back = backEdges(document);
  const forward = document.steps.flatMap((step) => exitsOf(step)
    .filter((e) => e.to && byId.has(e.to) && !back.has(`${step.id}\n${e.field}`))
    .map((e) => ({ from: step.id, field: e.field, to: e.to! })));
  // Longest path from the first step over the forward edges (a graph without cycles once loops are out).
  const layerOf = new Map(document.steps.map((s) => [s.id, 0]));
  for (let round = 0; round < document.steps.length; round += 1) {
    let changed = false;
    for (const e of forward) {
      if (layerOf.get(e.to)! < layerOf.get(e.from)! + 1) {
        layerOf.set(e.to, layerOf.get(e.from)! + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const depth = Math.max(0, ...layerOf.values()) + 1;
  const layers: Item[][] = Array.from({ length: depth }, () => []);
  const items = new Map<string, Item>();
  const add = (layer: number, item: Omit<Item, 'x' | 'order'>) => {
    const full = { ...item, x: 0, order: layers[layer]!.length };
    layers[layer]!.push(full);
    items.set(full.key, full);
  };
  document.steps.forEach((step) => add(layerOf.get(step.id)!, { key: step.id, step: step.id, width: BOX_W, preds: [] }));
  const slots = new Map<string, string[]>();
  for (const e of forward) {
    let previous = e.from;
    const through: string[] = [];
    for (let layer = layerOf.get(e.from)! + 1; layer < layerOf.get(e.to)!; layer += 1) {
      const key = `${e.from}\n${e.field}\n${layer}`;
      add(layer, { key, width: SLOT_W, preds: [previous] });
      through.push(key);
      previous = key;
    }
    items.get(e.to)!.preds.push(previous);
    slots.set(`${e.from}\n${e.field}`, through);
  }
  // Each layer in the order of the items above it (their mean position), then placed centred.
  const layerWidth = (layer: Item[]) => layer.reduce((sum, item) => sum + item.width, 0) + Math.max(0, layer.length - 1) * GAP_X;
  const inner = Math.max(BOX_W, ...layers.map(layerWidth));
  layers.forEach((layer, index) => {
    if (index > 0) {
      const centre = (item: Item) => (item.preds.length ? item.preds.reduce((sum, key) => sum + items.get(key)!.x + items.get(key)!.width / 2, 0) / item.preds.length : Infinity);
      layer.sort((a, b) => centre(a) - centre(b) || a.order - b.order);
    }
    let x = PAD + (inner - layerWidth(layer)) / 2;
    for (const item of layer) {
      item.x = x;
      x += item.width + GAP_X;
    }
  });
  const yOf = (layer: number) => PAD + layer * (BOX_H + GAP_Y);
  const boxes = new Map(document.steps.map((s) => [s.id, { x: items.get(s.id)!.x, y: yOf(layerOf.get(s.id)!), layer: layerOf.get(s.id)! }]));
  const width = PAD * 2 + inner + LOOP_ROOM;
  let loops = 0;
  const edges: Edge[] = document.steps.flatMap((step) => {
    const exits = exitsOf(step).filter((e) => !e.to || byId.has(e.to));
    const from = boxes.get(step.id)!;
    return exits.map((exit, i): Edge => {
      const start = { x: from.x + (BOX_W * (i + 1)) / (exits.length + 1), y: from.y + BOX_H };
      if (!exit.to) return { from: step.id, field: exit.field, to: null, back: false, points: [start, { x: start.x, y: start.y + END_STUB }] };
      const to = boxes.get(exit.to)!;
      const key = `${step.id}\n${exit.field}`;
      if (back.has(key)) {
        loops += 1;
        const right = PAD + inner + 10 + loops * 12;
        return { from: step.id, field: exit.field, to: exit.to!, back: true, points: [{ x: from.x + BOX_W, y: from.y + BOX_H / 2 }, { x: right, y: from.y + BOX_H / 2 }, { x: right, y: to.y + BOX_H / 2 }, { x: to.x + BOX_W + 6, y: to.y + BOX_H / 2 }] };
      }
      const points = [start];
      for (const slot of slots.get(key) ?? []) {
        const item = items.get(slot)!;
        const layer = Number(slot.split('\n')[2]);
        points.push({ x: item.x + SLOT_W / 2, y: yOf(layer) }, { x: item.x + SLOT_W / 2, y: yOf(layer) + BOX_H });
      }
      points.push({ x: to.x + BOX_W / 2, y: to.y - 6 });
      return { from: step.id, field: exit.field, to: exit.to!, back: false, points };
    });
  });
  return { boxes, edges, width, height: PAD * 2 + depth * BOX_H + (depth - 1) * GAP_Y + END_STUB };
}
