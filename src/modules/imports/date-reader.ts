/**
 * Reads the date-times of import files. Times without an offset are the store's local time and are
 * converted to UTC (an Online Retail `2010-06-01 09:00` is 08:00 UTC in British Summer Time); an
 * explicit offset or `Z` wins. Formats are patterns of YYYY, MM/M, DD/D, HH/H, mm, ss (e.g.
 * `D/M/YYYY H:mm`), or `iso`, `unix` (seconds), `unix_ms`; `auto` accepts ISO-like, US `M/D/YYYY
 * H:mm` (the UCI files), `YYYYMMDD` (CDNOW) and Shopify's `YYYY-MM-DD HH:mm:ss -0400`.
 */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC (ms) at a UTC instant. */
function zoneOffsetMs(utcMs: number, zone: string): number {
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    offsetFormats.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(utcMs))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * Converts local wall time in a zone to UTC ms. Offsets are cached per local day when the offset
 * is the same all day (every day but two a year), else per local hour: Intl lookups are slow, and a
 * file has many rows per day.
 */
export class ZoneConverter {
  private readonly days = new Map<number, number>();
  private readonly hours = new Map<number, number>();

  constructor(readonly zone: string) {}

  toUtcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms = 0): number {
    const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
    if (this.zone === 'UTC') return wall;
    const dayKey = Math.floor(wall / 86_400_000);
    let offset = this.days.get(dayKey);
    if (offset === undefined) {
      const start = this.offsetAt(dayKey * 86_400_000);
      const end = this.offsetAt(dayKey * 86_400_000 + 86_399_999);
      if (start === end) {
        if (this.days.size > 100_000) this.days.clear();
        this.days.set(dayKey, start);
        offset = start;
      } else {
        const hourKey = Math.floor(wall / 3_600_000);
        offset = this.hours.get(hourKey);
        if (offset === undefined) {
          offset = this.offsetAt(wall);
          this.hours.set(hourKey, offset);
        }
      }
    }
    return wall - offset;
  }

  /** The offset that applies to a local wall time; two passes settle it beside a daylight-saving change. */
  private offsetAt(wall: number): number {
    const first = zoneOffsetMs(wall, this.zone);
    return zoneOffsetMs(wall - first, this.zone);
  }
}

type Part = 'Y' | 'M' | 'D' | 'h' | 'm' | 's' | 'f' | 'z';
interface Pattern {
  regex: RegExp;
  parts: Part[];
}

const tokens: [string, string, Part][] = [
  ['YYYY', '(\\d{4})', 'Y'], ['MM', '(\\d{2})', 'M'], ['M', '(\\d{1,2})', 'M'], ['DD', '(\\d{2})', 'D'], ['D', '(\\d{1,2})', 'D'],
  ['HH', '(\\d{2})', 'h'], ['H', '(\\d{1,2})', 'h'], ['mm', '(\\d{2})', 'm'], ['ss', '(\\d{2})', 's'],
];

/** Compiles a pattern such as `D/M/YYYY H:mm`; undefined when it has no year, month or day. */
export function compilePattern(format: string): Pattern | undefined {
  let source = '';
  const parts: Part[] = [];
  for (let i = 0; i < format.length;) {
    const token = tokens.find(([name]) => format.startsWith(name, i));
    if (token) {
      source += token[1];
      parts.push(token[2]);
      i += token[0].length;
    } else {
      source += format[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i += 1;
    }
  }
  if (!['Y', 'M', 'D'].every((p) => parts.includes(p as Part))) return undefined;
  return { regex: new RegExp(`^${source}$`), parts };
}

const autoPatterns: Pattern[] = [
  { regex: /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/, parts: ['Y', 'M', 'D', 'h', 'm', 's', 'f', 'z'] },
  { regex: /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/, parts: ['M', 'D', 'Y', 'h', 'm', 's'] },
  { regex: /^(\d{4})(\d{2})(\d{2})$/, parts: ['Y', 'M', 'D'] },
];

export const dateFormatHelp = 'auto, iso, unix, unix_ms, or a pattern of YYYY MM M DD D HH H mm ss such as D/M/YYYY H:mm';

export class DateReader {
  private readonly patterns: Pattern[] | undefined;
  private lastText = '';
  private lastValue: Date | undefined;
  private readonly converter: ZoneConverter;

  /** Throws on a format it cannot compile (the caller reports it as a bad mapping). */
  constructor(zone: string, private readonly format = 'auto') {
    this.converter = new ZoneConverter(zone);
    if (format === 'auto' || format === 'iso') this.patterns = format === 'iso' ? [autoPatterns[0]!] : autoPatterns;
    else if (format === 'unix' || format === 'unix_ms') this.patterns = undefined;
    else {
      const pattern = compilePattern(format);
      if (!pattern) throw new Error(`date format "${format}" is not one of: ${dateFormatHelp}`);
      this.patterns = [pattern];
    }
  }

  /** The instant, or undefined when the text is not a date in the format. */
  read(text: string): Date | undefined {
    // Lines of one order repeat its date: parse once.
    if (text === this.lastText) return this.lastValue;
    this.lastText = text;
    this.lastValue = this.parse(text.trim());
    return this.lastValue;
  }

  private parse(text: string): Date | undefined {
    if (!this.patterns) {
      if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
      const ms = Number(text) * (this.format === 'unix' ? 1000 : 1);
      return Number.isFinite(ms) ? new Date(Math.round(ms)) : undefined;
    }
    for (const pattern of this.patterns) {
      const match = pattern.regex.exec(text);
      if (match) return this.build(match, pattern.parts);
    }
    return undefined;
  }

  private build(match: RegExpExecArray, parts: Part[]): Date | undefined {
    const v = { Y: 0, M: 0, D: 0, h: 0, m: 0, s: 0, f: 0 };
    let zone: string | undefined;
    parts.forEach((part, i) => {
      const text = match[i + 1];
      if (text === undefined) return;
      if (part === 'z') zone = text;
      else if (part === 'f') v.f = Number(text.padEnd(3, '0').slice(0, 3));
      else v[part] = Number(text);
    });
    if (v.M < 1 || v.M > 12 || v.D < 1 || v.D > 31 || v.h > 23 || v.m > 59 || v.s > 59) return undefined;
    // Rejects 31 February and the like instead of rolling into March.
    if (new Date(Date.UTC(v.Y, v.M - 1, v.D)).getUTCDate() !== v.D) return undefined;
    if (zone === undefined) return new Date(this.converter.toUtcMs(v.Y, v.M, v.D, v.h, v.m, v.s, v.f));
    const wall = Date.UTC(v.Y, v.M - 1, v.D, v.h, v.m, v.s, v.f);
    if (zone === 'Z') return new Date(wall);
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    return new Date(wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000);
  }
}
