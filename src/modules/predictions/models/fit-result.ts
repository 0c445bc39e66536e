/** What every model fit reports, whatever the model. */
export interface ModelFit<P> {
  params: P;
  /** Standard errors of the parameters (NaN where the information matrix is singular). */
  standardErrors: { [K in keyof P]: number };
  /** Total log-likelihood over all customers (not the mean). */
  logLikelihood: number;
  customers: number;
  /** Rows the optimiser saw (unique sufficient statistics). */
  rows: number;
  converged: boolean;
  iterations: number;
  evaluations: number;
  starts: number;
}

export function namedErrors<P extends object>(names: (keyof P)[], errors: number[]): { [K in keyof P]: number } {
  const result = {} as { [K in keyof P]: number };
  names.forEach((name, i) => { result[name] = errors[i] ?? NaN; });
  return result;
}
