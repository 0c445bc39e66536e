/** The statistics the experiments use: they live in `src/lib/statistics`, free of any domain. */
export * from '../../../lib/statistics/index.js';
