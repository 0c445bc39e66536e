/**
 * A store's branding for messages: web address, logo, postal address and colours. Addresses must be
 * web (https or http) URLs — they go into every email; colours are hex so a template can put them in
 * CSS without escaping.
 */
import type { ErrorDetail } from '../../lib/errors.js';
import type { BrandColors } from './accounts.table.js';

const hexColor = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

function webUrlProblem(text: string): string | undefined {
  if (text.length > 2000) return 'must be at most 2000 characters';
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'must be an https:// or http:// address';
  } catch {
    return 'must be a full web address (https://…)';
  }
}

export function brandingProblems(changes: { websiteUrl?: string | null; logoUrl?: string | null; postalAddress?: string | null; brandColors?: BrandColors | null }): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const [path, value] of [['website_url', changes.websiteUrl], ['logo_url', changes.logoUrl]] as const) {
    const problem = value?.trim() ? webUrlProblem(value.trim()) : undefined;
    if (problem) problems.push({ path, reason: problem });
  }
  if (changes.postalAddress && changes.postalAddress.length > 500) problems.push({ path: 'postal_address', reason: 'must be at most 500 characters' });
  for (const [key, value] of Object.entries(changes.brandColors ?? {})) {
    if (value !== undefined && !hexColor.test(String(value))) problems.push({ path: `brand_colors.${key}`, reason: 'must be a hex colour such as #2f5d50' });
  }
  return problems;
}

export function brandColorsOf(json: string | null): BrandColors {
  if (!json) return {};
  try {
    return JSON.parse(json) as BrandColors;
  } catch {
    return {};
  }
}
