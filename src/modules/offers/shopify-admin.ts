/**
 * The calls of Shopify's Admin GraphQL API that adding an offer's codes to a Shopify discount
 * needs (docs/offers.md, "Codes in Shopify"):
 * - `discountRedeemCodeBulkAdd(discountId, codes)`: at most 250 codes a call, created
 *   asynchronously; answers a `DiscountRedeemCodeBulkCreation` id, or `userErrors`;
 * - `discountRedeemCodeBulkCreation(id)`: whether it is `done`, and each code's `errors`;
 * - `codeDiscountNodeByCode(code)`: which discount holds a code (after a request whose answer was lost);
 * - `shop`: to check the access token when the store connects.
 * Every request sends the token in `X-Shopify-Access-Token`. A 429, a 5xx, a `THROTTLED` error or a
 * network failure is worth retrying later; a refused token or a user error is not.
 */

/** The most codes one `discountRedeemCodeBulkAdd` takes. */
export const SHOPIFY_CODES_PER_CALL = 250;
/** The Admin API version the calls are written against. */
export const SHOPIFY_API_VERSION = '2025-10';
export const DEFAULT_SHOPIFY_ADMIN_URL = `https://{shop}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;

export class ShopifyAdminError extends Error {
  /** `answered`: Shopify answered (so a refused request changed nothing there); false when the request may or may not have arrived. */
  constructor(message: string, readonly retryable: boolean, readonly answered = true) {
    super(message);
    this.name = 'ShopifyAdminError';
  }
}

export interface ShopifyConnection {
  shop: string;
  accessToken: string;
}

export interface BulkCreation {
  done: boolean;
  /** Each code's result once done: the reasons Shopify refused it (none: created). */
  codes: { code: string; errors: string[] }[];
}

export interface ShopifyAdmin {
  shopDomain(): Promise<string>;
  addCodes(discountId: string, codes: readonly string[]): Promise<string>;
  creation(batchId: string): Promise<BulkCreation>;
  discountOf(code: string): Promise<string | null>;
}

const ADD_CODES = `mutation AddCodes($discountId: ID!, $codes: [DiscountRedeemCodeInput!]!) {
  discountRedeemCodeBulkAdd(discountId: $discountId, codes: $codes) { bulkCreation { id } userErrors { field message code } }
}`;
const CREATION = `query Creation($id: ID!) {
  discountRedeemCodeBulkCreation(id: $id) { done codesCount importedCount failedCount codes(first: ${SHOPIFY_CODES_PER_CALL}) { nodes { code errors { message } } } }
}`;
const BY_CODE = 'query ByCode($code: String!) { codeDiscountNodeByCode(code: $code) { id } }';
const SHOP = 'query Shop { shop { myshopifyDomain } }';

interface GraphQlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A client for one store's connection; `urlTemplate` has `{shop}` where the shop's domain goes. */
export function shopifyAdmin(urlTemplate: string, connection: ShopifyConnection, fetchImpl: typeof fetch = fetch): ShopifyAdmin {
  const url = urlTemplate.replace('{shop}', connection.shop);
  async function call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'POST', signal: AbortSignal.timeout(30_000),
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-access-token': connection.accessToken },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new ShopifyAdminError(`Shopify could not be reached: ${(error as Error).message}`, true, false);
    }
    if (response.status === 401 || response.status === 403) {
      throw new ShopifyAdminError(`Shopify refused the access token (${response.status}); it needs the write_discounts scope`, false);
    }
    if (response.status === 429 || response.status >= 500) throw new ShopifyAdminError(`Shopify answered ${response.status}; trying again later`, true);
    if (!response.ok) throw new ShopifyAdminError(`Shopify answered ${response.status}`, false);
    const answer = (await response.json().catch(() => ({}))) as GraphQlAnswer<T>;
    if (answer.errors?.length) {
      const throttled = answer.errors.some((e) => e.extensions?.code === 'THROTTLED');
      throw new ShopifyAdminError(`Shopify: ${answer.errors.map((e) => e.message).join('; ')}`, throttled);
    }
    if (!answer.data) throw new ShopifyAdminError('Shopify answered without data', true);
    return answer.data;
  }
  return {
    async shopDomain() {
      return (await call<{ shop: { myshopifyDomain: string } }>(SHOP, {})).shop.myshopifyDomain;
    },
    async addCodes(discountId, codes) {
      const data = await call<{ discountRedeemCodeBulkAdd: { bulkCreation: { id: string } | null; userErrors: { field: string[] | null; message: string }[] } }>(
        ADD_CODES, { discountId, codes: codes.map((code) => ({ code })) });
      const { bulkCreation, userErrors } = data.discountRedeemCodeBulkAdd;
      if (userErrors.length || !bulkCreation) throw new ShopifyAdminError(`Shopify refused the codes: ${userErrors.map((e) => e.message).join('; ') || 'no bulk creation'}`, false);
      return bulkCreation.id;
    },
    async creation(batchId) {
      const data = await call<{ discountRedeemCodeBulkCreation: { done: boolean; codes: { nodes: { code: string; errors: { message: string }[] }[] } } | null }>(CREATION, { id: batchId });
      const found = data.discountRedeemCodeBulkCreation;
      if (!found) throw new ShopifyAdminError(`Shopify has no bulk creation ${batchId}`, false);
      return { done: found.done, codes: found.codes.nodes.map((n) => ({ code: n.code, errors: n.errors.map((e) => e.message) })) };
    },
    async discountOf(code) {
      return (await call<{ codeDiscountNodeByCode: { id: string } | null }>(BY_CODE, { code })).codeDiscountNodeByCode?.id ?? null;
    },
  };
}
