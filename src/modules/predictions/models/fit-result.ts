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
  /** Why the fit is not converged (a bound reached, a budget spent), in the store owner's words. */
  note?: string;
  iterations: number;
  evaluations: number;
  starts: number;
}

export function namedErrors<P extends object>(names: (keyof P)[], errors: number[]): { [K in keyof P]: number } {
  const result = {} as { [K in keyof P]: number };
  names.forEach((name, i) => { result[name] = errors[i] ?? NaN; });
  return result;
}

/** A sentence on why an optimiser run stopped short of the optimum. */
export function describeStop(result: { stop: string; gradientNorm: number; evaluations: number; iterations: number }): string {
  const gradient = `largest gradient ${result.gradientNorm.toExponential(1)}`;
  switch (result.stop) {
    case 'evaluations': return `The fit stopped at its cap of likelihood evaluations (${result.evaluations}) before converging (${gradient}).`;
    case 'time': return `The fit stopped at its time limit before converging (${gradient}, ${result.evaluations} evaluations).`;
    case 'iterations': return `The fit stopped after ${result.iterations} iterations without converging (${gradient}).`;
    case 'undefined': return 'The likelihood is not defined at the starting values.';
    default: return `The optimiser could not improve the likelihood further but the gradient is not yet zero (${gradient}).`;
  }
}
