/** The recommendations API: a customer's products with their reasons, and the offline evaluation. */
export type { RecommendationEvaluation, RecommendationList } from '../../../src/http/schemas/recommendations.schemas';
