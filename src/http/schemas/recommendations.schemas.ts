/** Answers of the recommendations API (docs/recommendations.md). */
import { z } from 'zod';
import { baselines, modelKinds } from '../../modules/recommendations/index.js';
import { component, count, currency, day, minorUnits, ratio, timestamp } from './common.schemas.js';

const modelKind = z.enum(modelKinds);
const reasonKinds = ['reorder', 'bought_with', 'viewed_with', 'next_after', 'popular', 'persona_popular', 'segment_popular', 'pinned'] as const;

export const recommendationListSchema = component('RecommendationList', z.strictObject({
  model: modelKind,
  k: count,
  fit_id: z.number().int().nullable().meta({ description: 'The fit served; null before the first fit (and the list is empty)' }),
  fitted_at: timestamp.nullable(),
  items: z.array(z.strictObject({
    product_id: z.number().int(),
    external_id: z.string(),
    title: z.string(),
    price: minorUnits.nullable(),
    currency: currency.nullable(),
    image_url: z.string().nullable(),
    score: z.number().min(0).meta({ description: 'The model\'s score, comparable within one list only' }),
    reason: z.enum(reasonKinds),
    explanation: z.string().meta({ description: 'Why it is recommended, in words ("bought with Ceramic mug by 42 customers")' }),
  })),
}));

export const storefrontRecommendationsSchema = component('StorefrontRecommendations', z.strictObject({
  model: modelKind,
  items: z.array(z.strictObject({
    external_id: z.string(),
    title: z.string(),
    price: minorUnits.nullable(),
    currency: currency.nullable(),
    image_url: z.string().nullable(),
    reason: z.enum(reasonKinds),
    explanation: z.string(),
  })),
}));

export const recommendationFitSchema = component('RecommendationFit', z.strictObject({
  fit_id: z.number().int(),
  trained_before: timestamp,
  customers: count,
  products: count,
  pairs: count.meta({ description: 'Co-purchase links kept' }),
  seconds: z.number().min(0),
}));

export const recommendationEvaluationSchema = component('RecommendationEvaluation', z.strictObject({
  cutoff: day,
  k: count,
  training_customers: count,
  catalogue: count.meta({ description: 'Products bought before the cutoff: the denominator of coverage' }),
  test_customers: count.meta({ description: 'Customers who ordered both before and on or after the cutoff' }),
  chosen: modelKind,
  beats_baselines: z.boolean().meta({ description: 'Whether the chosen model\'s hit rate is above both baselines\'' }),
  rows: z.array(z.strictObject({
    model: z.union([modelKind, z.enum(baselines)]),
    customers: count,
    hit_rate: ratio,
    recall: ratio,
    ndcg: ratio,
    coverage: ratio,
  })),
}));

export const recommendationSettingsSchema = component('RecommendationSettings', z.strictObject({
  pinned: z.array(z.number().int()).meta({ description: 'Product ids shown first, in order' }),
  blocked: z.array(z.number().int()).meta({ description: 'Product ids never recommended' }),
  min_price: minorUnits.nullable().meta({ description: 'Only products priced at or above this are recommended; null: no lower bound' }),
  max_price: minorUnits.nullable().meta({ description: 'Only products priced at or below this are recommended; null: no upper bound' }),
  version: count.meta({ description: 'Saved versions so far (0: never saved)' }),
}));

export type RecommendationList = z.input<typeof recommendationListSchema>;
export type RecommendationEvaluation = z.input<typeof recommendationEvaluationSchema>;
