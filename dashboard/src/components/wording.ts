/** Wording helpers that need no browser: the dashboard's text as a reader hears it. */
/**
 * "a" or "an" before a number as it is read aloud: an 8 %, an 11 %, an 18 %, an 80 %, an 800,
 * but a 1 %, a 100 %, a 20 %.
 */
export function article(formatted: string): 'a' | 'an' {
  const digits = formatted.replace(/^[^\d]*/, '');
  if (digits.startsWith('8')) return 'an';
  const whole = /^(\d+)/.exec(digits.replace(/[,\s\u00a0\u202f.](?=\d{3}(\D|$))/g, ''))?.[1] ?? '';
  // 11 and 18 are read "eleven", "eighteen"; so are 11,000 and 18,000 (eleven thousand …).
  const lead = whole.length % 3 === 2 ? whole.slice(0, 2) : '';
  return lead === '11' || lead === '18' ? 'an' : 'a';
}
