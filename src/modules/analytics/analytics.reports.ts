/** The closed list of analytics reports (API paths, CLI `hearth report <name>`, dashboard pages). No imports: the dashboard reads it too. */
export const reports = ['kpis', 'cohorts', 'rfm', 'products', 'clv'] as const;
export type Report = (typeof reports)[number];
