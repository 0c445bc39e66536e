/**
 * A checker for review-snippet JSON-LD, written from Google's "Review snippet" structured data
 * documentation and schema.org's definitions of the types used. Google's required properties:
 * the item reviewed (here the Product the ratings nest in) with its name; for a Review, author
 * (a Person or Organization with a name, under 100 characters) and reviewRating.ratingValue; for
 * an AggregateRating, ratingValue and reviewCount or ratingCount (a positive whole number).
 * bestRating and worstRating default to 5 and 1; a rating must lie between them. Every property
 * must belong to its type in schema.org's vocabulary (own or inherited from Thing / CreativeWork /
 * Intangible), and every nested value must be of a type the property's range allows.
 */

/** schema.org properties per type (the subset a product page uses; inherited ones included). */
const thing = ['name', 'description', 'url', 'image', 'identifier', 'sameAs', 'alternateName'];
const creativeWork = [...thing, 'author', 'datePublished', 'dateModified', 'inLanguage', 'publisher', 'headline', 'text'];
export const VOCABULARY: Record<string, readonly string[]> = {
  Product: [...thing, 'aggregateRating', 'review', 'productID', 'sku', 'gtin', 'gtin13', 'mpn', 'brand', 'offers', 'category', 'color', 'material'],
  AggregateRating: [...thing, 'ratingValue', 'reviewCount', 'ratingCount', 'bestRating', 'worstRating', 'itemReviewed', 'ratingExplanation'],
  Review: [...creativeWork, 'reviewBody', 'reviewRating', 'itemReviewed', 'reviewAspect', 'positiveNotes', 'negativeNotes'],
  Rating: [...thing, 'ratingValue', 'bestRating', 'worstRating', 'author', 'ratingExplanation'],
  Person: [...thing, 'givenName', 'familyName', 'email'],
  Organization: [...thing, 'legalName', 'logo'],
};

/** The types a property's value may have (schema.org ranges, restricted to the types above). */
const RANGES: Record<string, readonly string[]> = {
  aggregateRating: ['AggregateRating'], review: ['Review'], reviewRating: ['Rating'], author: ['Person', 'Organization'], itemReviewed: ['Product'],
};

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const numberOf = (value: unknown): number | undefined => (typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined);

function checkRating(node: Node, where: string, problems: string[]): void {
  const best = numberOf(node.bestRating ?? 5);
  const worst = numberOf(node.worstRating ?? 1);
  const value = numberOf(node.ratingValue);
  if (value === undefined) problems.push(`${where}.ratingValue is required and must be a number`);
  if (best === undefined || worst === undefined || best <= worst) problems.push(`${where}: bestRating must be above worstRating`);
  else if (value !== undefined && (value < worst || value > best)) problems.push(`${where}.ratingValue ${value} is outside ${worst}–${best}`);
}

function checkVocabulary(node: Node, where: string, problems: string[]): void {
  const type = node['@type'];
  if (typeof type !== 'string' || !VOCABULARY[type]) {
    problems.push(`${where}: @type ${String(type)} is not a schema.org type used here`);
    return;
  }
  for (const [property, value] of Object.entries(node)) {
    if (property.startsWith('@')) continue;
    if (!VOCABULARY[type]!.includes(property)) problems.push(`${where}.${property} is not a property of ${type}`);
    const values = Array.isArray(value) ? value : [value];
    values.forEach((item, i) => {
      const path = Array.isArray(value) ? `${where}.${property}[${i}]` : `${where}.${property}`;
      if (RANGES[property] && !isNode(item)) problems.push(`${path} must be a ${RANGES[property]!.join(' or ')}`);
      if (!isNode(item)) return;
      if (RANGES[property] && !RANGES[property]!.includes(String(item['@type']))) problems.push(`${path}: @type ${String(item['@type'])} is not in the range of ${property}`);
      checkVocabulary(item, path, problems);
    });
  }
}

/** The problems of a product's JSON-LD for a review snippet; empty when it qualifies. `snippet`: whether it carries ratings at all. */
export function reviewSnippetProblems(document: unknown): { problems: string[]; snippet: boolean } {
  const problems: string[] = [];
  if (!isNode(document)) return { problems: ['the document is not a JSON object'], snippet: false };
  if (document['@context'] !== 'https://schema.org' && document['@context'] !== 'http://schema.org') problems.push('@context must be schema.org');
  checkVocabulary(document, '$', problems);
  if (typeof document.name !== 'string' || document.name.trim() === '') problems.push('$.name (the item reviewed\'s name) is required');
  const aggregate = document.aggregateRating;
  const reviews = Array.isArray(document.review) ? document.review : document.review === undefined ? [] : [document.review];
  if (isNode(aggregate)) {
    checkRating(aggregate, '$.aggregateRating', problems);
    const counts = [aggregate.reviewCount, aggregate.ratingCount].filter((c) => c !== undefined);
    if (counts.length === 0) problems.push('$.aggregateRating needs reviewCount or ratingCount');
    for (const c of counts) if (!(Number.isInteger(numberOf(c)) && numberOf(c)! > 0)) problems.push('$.aggregateRating counts must be positive whole numbers');
  }
  reviews.forEach((review, i) => {
    const where = `$.review[${i}]`;
    if (!isNode(review)) return;
    const author = review.author;
    const name = isNode(author) ? author.name : undefined;
    if (typeof name !== 'string' || name.trim() === '') problems.push(`${where}.author.name is required`);
    else if (name.length >= 100) problems.push(`${where}.author.name must be under 100 characters`);
    if (!isNode(review.reviewRating)) problems.push(`${where}.reviewRating is required`);
    else checkRating(review.reviewRating, `${where}.reviewRating`, problems);
    if (review.datePublished !== undefined && !/^\d{4}-\d{2}-\d{2}/.test(String(review.datePublished))) problems.push(`${where}.datePublished must be ISO 8601`);
  });
  return { problems, snippet: isNode(aggregate) || reviews.length > 0 };
}
