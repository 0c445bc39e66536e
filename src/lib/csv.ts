/**
 * One CSV cell as every export writes it: quoted when it holds a comma, quote or line break, and
 * neutralised when a spreadsheet would run it as a formula — text starting with =, +, -, @, a tab
 * or a carriage return gets a leading apostrophe (OWASP's advice for CSV injection). A plain
 * number such as -5 or +3.2 % stays a number.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^[-+]?\d[\d,]*(\.\d+)?\s?%?$/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV line of cells. */
export const csvLine = (cells: readonly unknown[]): string => cells.map(csvCell).join(',');
