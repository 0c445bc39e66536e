/** Segment exports write their cells as every export does (`lib/csv.ts`). */
export { csvCell } from '../../lib/csv.js';
