/**
 * A flow drawn from its document: steps as boxes from top to bottom in layers (a step's layer is its
 * distance from the first step), branches side by side, edges with their label and the runs that
 * took them; an edge back up (a loop through a wait) curves round the right side. Each box shows
 * the runs that reached the step, wait there and left the flow there. All text is React text, so
 * whatever a store typed in a name or an event is escaped.
 */
import type { FlowDocument, FlowStats } from '../api/flow-types';
import { useApp } from './app-context';
import { edgeLabel, exitsOf, stepWords, type Names } from './flow-words';

const BOX_W = 200;
const BOX_H = 80;
const GAP_X = 36;
const GAP_Y = 64;
const PAD = 16;
const LOOP_ROOM = 60;

interface Placed { id: string; layer: number; x: number; y: number }

/** Layers by breadth-first distance from the first step; within a layer, in the order found. */
export function layout(document: FlowDocument): { boxes: Map<string, Placed>; width: number; height: number } {
  const byId = new Map(document.steps.map((s) => [s.id, s]));
  const layerOf = new Map<string, number>();
  const order: string[] = [];
  const first = document.steps[0];
  const queue = first ? [first.id] : [];
  if (first) layerOf.set(first.id, 0);
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    const step = byId.get(id);
    if (!step) continue;
    for (const exit of exitsOf(step)) {
      if (exit.to && byId.has(exit.to) && !layerOf.has(exit.to)) {
        layerOf.set(exit.to, layerOf.get(id)! + 1);
        queue.push(exit.to);
      }
    }
  }
  // Steps nothing leads to (a draft being written) go below the rest.
  const deepest = Math.max(0, ...layerOf.values());
  for (const step of document.steps) {
    if (!layerOf.has(step.id)) {
      layerOf.set(step.id, deepest + 1);
      order.push(step.id);
    }
  }
  const layers: string[][] = [];
  for (const id of order) (layers[layerOf.get(id)!] ??= []).push(id);
  const widest = Math.max(1, ...layers.map((l) => l?.length ?? 0));
  const width = PAD * 2 + widest * BOX_W + (widest - 1) * GAP_X + LOOP_ROOM;
  const boxes = new Map<string, Placed>();
  layers.forEach((ids, layer) => {
    const span = ids.length * BOX_W + (ids.length - 1) * GAP_X;
    const left = PAD + (widest * BOX_W + (widest - 1) * GAP_X - span) / 2;
    ids.forEach((id, i) => boxes.set(id, { id, layer, x: left + i * (BOX_W + GAP_X), y: PAD + layer * (BOX_H + GAP_Y) }));
  });
  return { boxes, width, height: PAD * 2 + layers.length * BOX_H + (layers.length - 1) * GAP_Y };
}

const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

export function FlowGraph({ document, stats, names }: { document: FlowDocument; stats?: FlowStats | undefined; names: Names }) {
  const { fmt } = useApp();
  const { boxes, width, height } = layout(document);
  const stepStats = new Map(stats?.steps.map((s) => [s.step_id, s]));
  const edgeStats = new Map(stats?.edges.map((e) => [`${e.from}\n${e.field}`, e.taken]));
  let loops = 0;
  const edges = document.steps.flatMap((step) => {
    const from = boxes.get(step.id)!;
    const exits = exitsOf(step).filter((e) => e.to && boxes.has(e.to));
    return exits.map((exit, i) => {
      const to = boxes.get(exit.to!)!;
      const taken = edgeStats.get(`${step.id}\n${exit.field}`);
      const words = [edgeLabel(exit.field), stats ? fmt.number(taken ?? 0) : ''].filter(Boolean).join(' · ');
      const key = `${step.id}-${exit.field}`;
      if (to.layer > from.layer) {
        const x1 = from.x + (BOX_W * (i + 1)) / (exits.length + 1);
        const y1 = from.y + BOX_H;
        const x2 = to.x + BOX_W / 2;
        const y2 = to.y;
        const mid = (y1 + y2) / 2;
        const labelY = to.layer === from.layer + 1 ? mid : y1 + GAP_Y / 2;
        const labelX = to.layer === from.layer + 1 ? (x1 + x2) / 2 : x1;
        return { key, path: `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2 - 6}`, words, labelX, labelY, field: exit.field, from: step.id };
      }
      // Back (or sideways): round the right side of the drawing.
      loops += 1;
      const right = width - LOOP_ROOM + 10 + loops * 12;
      const y1 = from.y + BOX_H / 2;
      const y2 = to.y + BOX_H / 2;
      const path = `M${from.x + BOX_W},${y1} C${right},${y1} ${right},${y2} ${to.x + BOX_W + 6},${y2}`;
      return { key, path, words, labelX: right - 10, labelY: (y1 + y2) / 2, field: exit.field, from: step.id };
    });
  });
  return (
    <div className="flow-graph">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`The flow's ${document.steps.length} steps, from the first at the top`}>
        <defs>
          <marker id="flow-arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#64748b" />
          </marker>
        </defs>
        {edges.map((e) => (
          <path key={e.key} d={e.path} fill="none" stroke="#94a3b8" strokeWidth={1.5} markerEnd="url(#flow-arrow)" />
        ))}
        {[...boxes.values()].map((box) => {
          const step = document.steps.find((s) => s.id === box.id)!;
          const s = stepStats.get(step.id);
          const words = stepWords(step, names);
          const left = s?.exited.map((x) => `${x.reason} ${fmt.number(x.runs)}`).join(', ');
          return (
            <g key={box.id} data-testid={`flow-step-${box.id}`} className={`flow-step flow-step-${step.type}`} transform={`translate(${box.x},${box.y})`}>
              <title>{`${step.id}: ${words}`}</title>
              <rect width={BOX_W} height={BOX_H} rx={8} />
              <text x={10} y={19} className="flow-step-id">{clip(step.name ?? step.id, 26)}</text>
              <text x={10} y={37} className="flow-step-words">{clip(words, 31)}</text>
              {s && <text x={10} y={56} className="flow-step-counts">{`reached ${fmt.number(s.reached)} · waiting ${fmt.number(s.waiting)}`}</text>}
              {left && <text x={10} y={72} className="flow-step-left">{clip(`left: ${left}`, 31)}</text>}
            </g>
          );
        })}
        {edges.filter((e) => e.words).map((e) => (
          <text key={e.key} x={e.labelX} y={e.labelY} textAnchor="middle" dominantBaseline="middle" className="flow-edge-label" data-testid={`flow-edge-${e.from}-${e.field}`}>{e.words}</text>
        ))}
      </svg>
    </div>
  );
}
