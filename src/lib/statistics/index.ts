/** Statistics of experiments: interval estimates, CUPED, always-valid monitoring, power, A/A simulation. */
export { addPerson, emptyArmSums, type ArmSums } from './arm-sums.js';
export { compare, incremental, sumIncrementals, MINIMUM_GROUP, type Comparison, type CompareOptions, type Incremental, type OutcomeKind } from './compare.js';
export { cupedDifference, type CupedDifference } from './cuped.js';
export { effectiveDegrees, meanDifference, proportionDifference, studentQuantile, wilson, Z95, type Interval, type MeanDifference, type Moments, type ProportionDifference } from './intervals.js';
export { ranks, spearman, type RankCorrelation } from './correlation.js';
export { normalCdf, normalQuantile } from './normal.js';
export { powerPlan, type PowerInput, type PowerPlan } from './power.js';
export { alwaysValid, TUNED_PEOPLE, type AlwaysValid } from './sequential.js';
export { simulate, type Population, type SimulationOptions, type SimulationResult } from './simulate.js';
