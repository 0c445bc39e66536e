/**
 * The campaign builder's "when" and "A/B test" choices, and the words for them. The values are
 * the API's: `send_at` (UTC), `delivery` (at the start, a local time on each recipient's clock, or
 * each recipient's usual hour) and `ab_test` with its winner rule.
 */
import type { Campaign } from '../api/campaign-types';
import type { MessageTemplateSummary } from '../api/template-types';
import { zonedInstant } from '../../../src/lib/zoned-time';
import { Field } from './ui';

export type WhenChoice = 'start' | 'store_time' | 'local_time' | 'usual_hour';

export interface TimingState {
  when: WhenChoice;
  /** `YYYY-MM-DDTHH:MM` from a datetime-local input: store time or each recipient's clock. */
  at: string;
  defaultHour: string;
}

export interface AbState {
  on: boolean;
  templateB: string;
  testPercent: string;
  testHours: string;
  winner: 'clicks' | 'revenue';
}

export const initialTiming: TimingState = { when: 'start', at: '', defaultHour: '10' };
export const initialAb: AbState = { on: false, templateB: '', testPercent: '20', testHours: '4', winner: 'clicks' };

const whenWords: Record<WhenChoice, string> = {
  start: 'When I start it',
  store_time: 'At a time (store time)',
  local_time: "At a time on each recipient's clock",
  usual_hour: "At each recipient's usual hour",
};

const whenHints: Record<WhenChoice, string> = {
  start: 'The messages go out as soon as you start the campaign.',
  store_time: 'The campaign starts by itself at this time in the store\'s time zone.',
  local_time: "Each recipient gets it at this date and time in their own time zone (else the store's); where it has already passed when the campaign starts, at once.",
  usual_hour: 'Each recipient gets it, within a day of the start, at the hour their orders and clicks centre on; the default hour for those with fewer than three.',
};

/** The API fields of a timing choice; `timezone` is the store's. */
export function timingBody(timing: TimingState, timezone: string): { send_at?: string; delivery?: Campaign['delivery'] } {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(timing.at);
  switch (timing.when) {
    case 'start': return {};
    case 'store_time': {
      if (!match) return {};
      const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
      return { send_at: zonedInstant({ year, month, day, hour, minute }, timezone).toISOString() };
    }
    case 'local_time': return match ? { delivery: { mode: 'local_time', local_time: match[0] } } : {};
    case 'usual_hour': return { delivery: { mode: 'usual_hour', default_hour: Number(timing.defaultHour) } };
  }
}

export function abBody(ab: AbState, templateA: string): { ab_test?: Campaign['ab_test'] } {
  if (!ab.on || !templateA || !ab.templateB) return {};
  return {
    ab_test: {
      variants: [{ template_id: templateA }, { template_id: ab.templateB }],
      test_share: Math.min(50, Math.max(1, Number(ab.testPercent) || 20)) / 100,
      test_hours: Math.min(168, Math.max(1, Math.round(Number(ab.testHours) || 4))),
      winner_metric: ab.winner,
    },
  };
}

export function TimingFields({ value, onChange, timezone }: { value: TimingState; onChange: (next: TimingState) => void; timezone: string }) {
  const set = (changes: Partial<TimingState>) => onChange({ ...value, ...changes });
  return (
    <div className="filters wide-fields" data-testid="campaign-timing">
      <Field label="Send" hint={whenHints[value.when]}>
        <select value={value.when} onChange={(e) => set({ when: e.target.value as WhenChoice })}>
          {(Object.keys(whenWords) as WhenChoice[]).map((w) => <option key={w} value={w}>{whenWords[w]}</option>)}
        </select>
      </Field>
      {(value.when === 'store_time' || value.when === 'local_time') && (
        <Field label={value.when === 'store_time' ? `Start at (${timezone})` : 'Local date and time'}>
          <input type="datetime-local" value={value.at} onChange={(e) => set({ at: e.target.value })} required />
        </Field>
      )}
      {value.when === 'usual_hour' && (
        <Field label="Default hour" hint="for recipients without a usual hour">
          <input type="time" step={3600} value={`${value.defaultHour.padStart(2, '0')}:00`} onChange={(e) => set({ defaultHour: String(Number(e.target.value.slice(0, 2)) || 0) })} />
        </Field>
      )}
    </div>
  );
}

export function AbTestFields({ value, onChange, templates }: { value: AbState; onChange: (next: AbState) => void; templates: MessageTemplateSummary[] }) {
  const set = (changes: Partial<AbState>) => onChange({ ...value, ...changes });
  return (
    <fieldset className="ab-test stack" data-testid="campaign-ab">
      <legend>
        <label><input type="checkbox" checked={value.on} onChange={(e) => set({ on: e.target.checked })} /> A/B test against a second template</label>
      </legend>
      {value.on && (
        <div className="filters wide-fields">
          <Field label="Variant B template">
            <select value={value.templateB} onChange={(e) => set({ templateB: e.target.value })} required>
              <option value="">— choose —</option>
              {templates.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
            </select>
          </Field>
          <Field label="Tested share (%)" hint="split between A and B"><input type="number" min={1} max={50} value={value.testPercent} onChange={(e) => set({ testPercent: e.target.value })} /></Field>
          <Field label="Test for (hours)"><input type="number" min={1} max={168} value={value.testHours} onChange={(e) => set({ testHours: e.target.value })} /></Field>
          <Field label="Winner by" hint="then the rest get the winner">
            <select value={value.winner} onChange={(e) => set({ winner: e.target.value as AbState['winner'] })}>
              <option value="clicks">Clicks (share who clicked)</option>
              <option value="revenue">Revenue per person</option>
            </select>
          </Field>
        </div>
      )}
    </fieldset>
  );
}

/** "at 10:00 on each recipient's clock", for the campaigns list and results. */
export function deliveryWords(campaign: Pick<Campaign, 'delivery' | 'send_at'>, dateTime: (iso: string | null) => string): string {
  const d = campaign.delivery;
  if (d.mode === 'local_time') return `${d.local_time.replace('T', ' ')} on each recipient's clock`;
  if (d.mode === 'usual_hour') return `each recipient's usual hour (default ${String(d.default_hour ?? 10).padStart(2, '0')}:00)`;
  return campaign.send_at ? dateTime(campaign.send_at) : 'when started';
}
