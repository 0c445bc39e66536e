// Timing helpers the benchmarks share: the median of several runs of a piece of work, after one
// run to warm it (caches, prepared plans, the JIT).

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The median time in ms of `runs` runs of `work`, after a first run that is not counted. */
export async function warmMedian(work, runs) {
  await work();
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return median(times);
}
