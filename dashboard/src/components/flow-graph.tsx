/**
 * A flow drawn from its document: steps as boxes from top to bottom in layers, branches side by
 * side, edges with their label and the runs that took them. A step's layer is the longest path to
 * it from the first step (edges back up — a loop through a wait — are left out of that and curve
 * round the right side); an edge that spans several layers passes through a narrow slot in each,
 * so it never runs under a box. Within a layer, boxes sit under the steps that lead to them. Each
 * box shows the runs that reached the step, wait there and left the flow there. All text is React
 * text, so whatever a store typed in a name or an event is escaped.
 */
import type { FlowDocument, FlowStats } from '../api/flow-types';
import { useApp } from './app-context';
import { edgeLabel, exitsOf, stepWords, type Names } from './flow-words';

const BOX_W = 200;
const BOX_H = 80;
const SLOT_W = 24;
const GAP_X = 32;
const GAP_Y = 64;
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
function backEdges(document: FlowDocument): Set<string> {
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

export function layout(document: FlowDocument): Layout {
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

/** A smooth path through the points: vertical curves between layers, straight lines through a slot. */
function pathOf(edge: Edge): string {
  const [first, ...rest] = edge.points;
  if (!first) return '';
  if (edge.back) {
    const [a, b, c] = rest;
    return `M${first.x},${first.y} C${a!.x},${a!.y} ${b!.x},${b!.y} ${c!.x},${c!.y}`;
  }
  let d = `M${first.x},${first.y}`;
  let at = first;
  for (const p of rest) {
    if (p.x === at.x) d += ` L${p.x},${p.y}`;
    else {
      const mid = (at.y + p.y) / 2;
      d += ` C${at.x},${mid} ${p.x},${mid} ${p.x},${p.y}`;
    }
    at = p;
  }
  return d;
}

const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

export function FlowGraph({ document, stats, names }: { document: FlowDocument; stats?: FlowStats | undefined; names: Names }) {
  const { fmt } = useApp();
  const { boxes, edges, width, height } = layout(document);
  const stepStats = new Map(stats?.steps.map((s) => [s.step_id, s]));
  const edgeStats = new Map(stats?.edges.map((e) => [`${e.from}\n${e.field}`, e.taken]));
  const labelled = edges.map((e) => {
    const taken = edgeStats.get(`${e.from}\n${e.field}`);
    const words = [e.to === null ? `${edgeLabel(e.field) ? `${edgeLabel(e.field)} → ` : ''}end` : edgeLabel(e.field), stats ? fmt.number(taken ?? 0) : ''].filter(Boolean).join(' · ');
    // The label sits on the edge's first stretch, near the step it leaves (a loop's: beside its bend).
    const [a, b] = e.back ? [e.points[1]!, e.points[2]!] : [e.points[0]!, e.points[1]!];
    const x = e.back ? a.x + 4 : (a.x + b.x) / 2;
    return { ...e, words, x, y: e.back ? (a.y + b.y) / 2 : a.y + Math.min(GAP_Y, b.y - a.y) / 2, anchor: e.back ? ('start' as const) : ('middle' as const) };
  });
  return (
    <div className="flow-graph">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`The flow's ${document.steps.length} steps, from the first at the top`}>
        <defs>
          <marker id="flow-arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#64748b" />
          </marker>
          <marker id="flow-end" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="7" markerHeight="7">
            <circle cx="5" cy="5" r="4" fill="#64748b" />
          </marker>
        </defs>
        {labelled.map((e) => (
          <path key={`${e.from}-${e.field}`} d={pathOf(e)} fill="none" stroke="#94a3b8" strokeWidth={1.5} strokeDasharray={e.back ? '5 4' : undefined} markerEnd={e.to === null ? 'url(#flow-end)' : 'url(#flow-arrow)'} />
        ))}
        {document.steps.map((step) => {
          const box = boxes.get(step.id)!;
          const s = stepStats.get(step.id);
          const words = stepWords(step, names);
          const left = s?.exited.map((x) => `${x.reason} ${fmt.number(x.runs)}`).join(', ');
          return (
            <g key={step.id} data-testid={`flow-step-${step.id}`} className={`flow-step flow-step-${step.type}`} transform={`translate(${box.x},${box.y})`}>
              <title>{`${step.id}: ${words}`}</title>
              <rect width={BOX_W} height={BOX_H} rx={8} />
              <text x={10} y={19} className="flow-step-id">{clip(step.name ?? step.id, 26)}</text>
              <text x={10} y={37} className="flow-step-words">{clip(words, 31)}</text>
              {s && <text x={10} y={56} className="flow-step-counts">{`reached ${fmt.number(s.reached)} · waiting ${fmt.number(s.waiting)}`}</text>}
              {left && <text x={10} y={72} className="flow-step-left">{clip(`left: ${left}`, 31)}</text>}
            </g>
          );
        })}
        {labelled.filter((e) => e.words).map((e) => (
          <text key={`${e.from}-${e.field}`} x={e.x} y={e.y} textAnchor={e.anchor} dominantBaseline="middle" className="flow-edge-label" data-testid={`flow-edge-${e.from}-${e.field}`}>{e.words}</text>
        ))}
      </svg>
    </div>
  );
}
