/**
 * An independent, deliberately plain computation of the metrics in docs/metrics.md over a list of
 * orders and returns — loops and sets, no shared code with the SQL — for checking the reports on
 * real data files.
 */

export interface RefOrder {
  customer: string | null;
  /** Local day, YYYY-MM-DD. */
  day: string;
  /** Minor units, before returns. */
  total: number;
}

export interface RefReturn {
  customer: string | null;
  day: string;
  amount: number;
}

const DAY = 86_400_000;
const t = (day: string) => Date.parse(`${day}T00:00:00Z`);
export const plusDays = (day: string, n: number) => new Date(t(day) + n * DAY).toISOString().slice(0, 10);
const diff = (a: string, b: string) => Math.round((t(b) - t(a)) / DAY);

/** percentile_cont: linear interpolation between closest ranks. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const index = p * (sorted.length - 1);
  const low = Math.floor(index);
  const high = Math.ceil(index);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (index - low);
}

/** Orders of each customer in time order (guest orders left out). */
export function byCustomer(orders: RefOrder[]): Map<string, RefOrder[]> {
  const map = new Map<string, RefOrder[]>();
  for (const order of orders) {
    if (order.customer === null) continue;
    const list = map.get(order.customer) ?? [];
    list.push(order);
    map.set(order.customer, list);
  }
  for (const list of map.values()) list.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  return map;
}

export function refKpis(orders: RefOrder[], returns: RefReturn[], range: { from: string; to: string }, lastDay: string, inactivityDays: number) {
  const inRange = (day: string) => day >= range.from && day <= range.to;
  const customers = byCustomer(orders);
  const rangeOrders = orders.filter((o) => inRange(o.day));
  const active = new Set(rangeOrders.filter((o) => o.customer !== null).map((o) => o.customer!));
  const revenue = rangeOrders.reduce((sum, o) => sum + o.total, 0) - returns.filter((r) => inRange(r.day)).reduce((sum, r) => sum + r.amount, 0);
  let returning = 0;
  let repeat = 0;
  const gaps: number[] = [];
  for (const [customer, list] of customers) {
    if (active.has(customer)) {
      if (list[0]!.day < range.from) returning += 1;
      if (list.filter((o) => o.day <= range.to).length >= 2) repeat += 1;
    }
    for (let i = 1; i < list.length; i += 1) if (inRange(list[i]!.day)) gaps.push(diff(list[i - 1]!.day, list[i]!.day));
  }
  const acquired = [...customers.values()].filter((list) => inRange(list[0]!.day));
  const secondOrder = [30, 60, 90].map((days) => {
    const eligible = acquired.filter((list) => list[0]!.day <= plusDays(lastDay, -days));
    return eligible.length ? eligible.filter((list) => list.length > 1 && diff(list[0]!.day, list[1]!.day) <= days).length / eligible.length : null;
  });
  const length = diff(range.from, range.to) + 1;
  const previous = { from: plusDays(range.from, -length), to: plusDays(range.from, -1) };
  const hasOrderIn = (list: RefOrder[], from: string, to: string) => list.some((o) => o.day >= from && o.day <= to);
  const previousCustomers = [...customers.values()].filter((list) => hasOrderIn(list, previous.from, previous.to));
  const atStart = [...customers.values()].filter((list) => hasOrderIn(list, plusDays(range.from, -inactivityDays), plusDays(range.from, -1)));
  // Churned: went `inactivityDays` without an order, counted from their last order before the
  // range, and reached that point by the range's end.
  const churned = atStart.filter((list) => {
    const last = list.filter((o) => o.day < range.from).pop()!.day;
    const next = list.find((o) => o.day >= range.from)?.day;
    return last <= plusDays(range.to, -inactivityDays) && (next === undefined || diff(last, next) > inactivityDays);
  });
  return {
    orders: rangeOrders.length,
    guestOrders: rangeOrders.filter((o) => o.customer === null).length,
    revenue,
    customers: active.size,
    newCustomers: acquired.length,
    returningCustomers: returning,
    // The API rounds money averages to whole minor units.
    aov: rangeOrders.length ? Math.round(revenue / rangeOrders.length) : null,
    ordersPerCustomer: active.size ? rangeOrders.filter((o) => o.customer !== null).length / active.size : null,
    repeatPurchaseRate: active.size ? repeat / active.size : null,
    medianDaysBetweenOrders: percentile(gaps, 0.5),
    secondOrderRates: secondOrder,
    medianDaysToSecondOrder: percentile(acquired.filter((l) => l.length > 1).map((l) => diff(l[0]!.day, l[1]!.day)), 0.5),
    retentionRate: previousCustomers.length ? previousCustomers.filter((l) => hasOrderIn(l, range.from, range.to)).length / previousCustomers.length : null,
    churnRate: atStart.length ? churned.length / atStart.length : null,
  };
}

/** Monthly cohorts: size and customers with an order at each month offset. */
export function refMonthlyCohorts(orders: RefOrder[]): Map<string, { size: number; retained: number[]; revenue: number[] }> {
  const cohorts = new Map<string, { size: number; retained: number[]; revenue: number[] }>();
  const month = (day: string) => `${day.slice(0, 7)}-01`;
  const monthIndex = (day: string) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
  for (const list of byCustomer(orders).values()) {
    const first = list[0]!.day;
    const cohort = cohorts.get(month(first)) ?? { size: 0, retained: [], revenue: [] };
    cohort.size += 1;
    const seen = new Set<number>();
    for (const order of list) {
      const offset = monthIndex(order.day) - monthIndex(first);
      if (!seen.has(offset)) cohort.retained[offset] = (cohort.retained[offset] ?? 0) + 1;
      seen.add(offset);
      cohort.revenue[offset] = (cohort.revenue[offset] ?? 0) + order.total;
    }
    cohorts.set(month(first), cohort);
  }
  return cohorts;
}

/** RFM segment grid written out independently: rows R = 5…1, columns FM = 1…5. */
const grid: Record<number, string[]> = {
  5: ['New', 'Potential loyalists', 'Potential loyalists', 'Champions', 'Champions'],
  4: ['Promising', 'Potential loyalists', 'Potential loyalists', 'Loyal', 'Loyal'],
  3: ['About to sleep', 'About to sleep', 'Need attention', 'Loyal', 'Loyal'],
  2: ['Hibernating', 'Hibernating', 'At risk', 'At risk', "Can't lose them"],
  1: ['Lost', 'Lost', 'At risk', 'At risk', "Can't lose them"],
};

/** Segment counts as of `asOf`: scores from each value's percent rank (ties take the lowest rank). */
export function refRfm(orders: RefOrder[], returns: RefReturn[], asOf: string): Map<string, number> {
  const rows = [...byCustomer(orders.filter((o) => o.day <= asOf))].map(([customer, list]) => ({
    customer,
    last: t(list[list.length - 1]!.day),
    frequency: list.length,
    monetary: list.reduce((sum, o) => sum + o.total, 0) - returns.filter((r) => r.customer === customer && r.day <= asOf).reduce((sum, r) => sum + r.amount, 0),
  }));
  const n = rows.length;
  const score = (value: number, all: number[]) => {
    const below = all.filter((v) => v < value).length;
    return Math.min(5, 1 + (n > 1 ? Math.floor((5 * below) / (n - 1)) : 0));
  };
  const lasts = rows.map((r) => r.last);
  const freqs = rows.map((r) => r.frequency);
  const money = rows.map((r) => r.monetary);
  const counts = new Map<string, number>();
  for (const row of rows) {
    const fm = Math.floor((score(row.frequency, freqs) + score(row.monetary, money) + 1) / 2);
    const segment = grid[score(row.last, lasts)]![fm - 1]!;
    counts.set(segment, (counts.get(segment) ?? 0) + 1);
  }
  return counts;
}
