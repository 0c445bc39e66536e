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
import { BOX_H, BOX_W, GAP_Y, layout, type Edge } from './flow-layout';
import { edgeLabel, stepWords, type Names } from './flow-words';

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
