/**
 * A local stand-in for Shopify's Admin GraphQL API, answering the operations Hearth uses as the
 * documentation describes them (api version 2025-10), at `POST /{shop}/admin/api/2025-10/graphql.json`:
 * - `X-Shopify-Access-Token` must be the shop's token, else 401 with `{"errors": "[API] Invalid API key or access token …"}`;
 * - `shop { myshopifyDomain }`;
 * - `discountRedeemCodeBulkAdd(discountId, codes)`: at most 250 codes (else a `userErrors` entry on
 *   `codes`), an unknown discount is a `userErrors` entry on `discountId`; answers a
 *   `DiscountRedeemCodeBulkCreation` id and creates the codes asynchronously: the creation is
 *   `done: false` when first asked about, then `done: true` with each code's `errors` — a code the
 *   shop already has (codes are unique in a shop, whatever their case) gets "Code must be unique";
 * - `discountRedeemCodeBulkCreation(id)` and `codeDiscountNodeByCode(code)`.
 * It can be told to throttle the next call (`THROTTLED`, as its cost limit does) or to create the
 * next bulk add's codes and drop the connection before answering (an answer lost on the way).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Creation { id: string; discountId: string; codes: string[]; asked: number; results: { code: string; errors: { message: string }[] }[] | null }

export interface ShopifyAdminStandIn {
  /** The URL template Hearth is configured with (`{shop}` in it). */
  urlTemplate: string;
  shop: string;
  token: string;
  /** Codes on each discount, upper-case. */
  discounts: Map<string, Set<string>>;
  /** Every bulk add received: the codes each carried. */
  adds: string[][];
  /** Codes another discount of the shop holds already (refused when added). */
  takenElsewhere: Set<string>;
  throttleNext: () => void;
  dropNextAdd: () => void;
  close: () => Promise<void>;
}

export const SHOPIFY_UNIQUE_ERROR = 'Code must be unique. Please try a different code.';

export async function startShopifyAdmin(shop = 'wag-and-bone.myshopify.com', token = 'shpat_0123456789abcdef', discountIds: string[] = []): Promise<ShopifyAdminStandIn> {
  const discounts = new Map(discountIds.map((id) => [id, new Set<string>()]));
  const creations = new Map<string, Creation>();
  const adds: string[][] = [];
  const takenElsewhere = new Set<string>();
  let throttle = false;
  let drop = false;
  let next = 1;

  const holderOf = (code: string): string | null => {
    for (const [id, codes] of discounts) if (codes.has(code.toUpperCase())) return id;
    return takenElsewhere.has(code.toUpperCase()) ? 'gid://shopify/DiscountCodeNode/999999' : null;
  };
  const create = (creation: Creation) => {
    creation.results = creation.codes.map((code) => {
      if (holderOf(code) !== null) return { code, errors: [{ message: SHOPIFY_UNIQUE_ERROR }] };
      discounts.get(creation.discountId)!.add(code.toUpperCase());
      return { code, errors: [] };
    });
  };

  function answer(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== `/${shop}/admin/api/2025-10/graphql.json`) return answer(res, 404, { errors: 'Not Found' });
    if (req.headers['x-shopify-access-token'] !== token) return answer(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables: Record<string, unknown> };
    if (throttle) {
      throttle = false;
      return answer(res, 200, { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }] });
    }
    if (query.includes('discountRedeemCodeBulkAdd(')) {
      const discountId = String(variables.discountId);
      const codes = (variables.codes as { code: string }[]).map((c) => c.code);
      const userErrors = [];
      if (!discounts.has(discountId)) userErrors.push({ field: ['discountId'], message: 'Code discount does not exist.', code: 'INVALID' });
      if (codes.length > 250) userErrors.push({ field: ['codes'], message: 'Codes is too long (maximum is 250)', code: 'TOO_LONG' });
      if (userErrors.length) return answer(res, 200, { data: { discountRedeemCodeBulkAdd: { bulkCreation: null, userErrors } } });
      adds.push(codes);
      const creation: Creation = { id: `gid://shopify/DiscountRedeemCodeBulkCreation/${next++}`, discountId, codes, asked: 0, results: null };
      creations.set(creation.id, creation);
      if (drop) {
        drop = false;
        create(creation);
        res.socket?.destroy();
        return;
      }
      return answer(res, 200, { data: { discountRedeemCodeBulkAdd: { bulkCreation: { id: creation.id }, userErrors: [] } } });
    }
    if (query.includes('discountRedeemCodeBulkCreation(')) {
      const creation = creations.get(String(variables.id));
      if (!creation) return answer(res, 200, { data: { discountRedeemCodeBulkCreation: null } });
      creation.asked += 1;
      if (creation.asked === 1 && !creation.results) {
        create(creation);
        return answer(res, 200, { data: { discountRedeemCodeBulkCreation: { done: false, codesCount: creation.codes.length, importedCount: 0, failedCount: 0, codes: { nodes: [] } } } });
      }
      if (!creation.results) create(creation);
      const failed = creation.results!.filter((r) => r.errors.length).length;
      return answer(res, 200, { data: { discountRedeemCodeBulkCreation: {
        done: true, codesCount: creation.codes.length, importedCount: creation.codes.length - failed, failedCount: failed, codes: { nodes: creation.results },
      } } });
    }
    if (query.includes('codeDiscountNodeByCode(')) {
      const holder = holderOf(String(variables.code));
      return answer(res, 200, { data: { codeDiscountNodeByCode: holder ? { id: holder } : null } });
    }
    if (query.includes('shop {') || query.includes('shop{')) return answer(res, 200, { data: { shop: { myshopifyDomain: shop } } });
    return answer(res, 200, { errors: [{ message: 'Field is not supported by this stand-in', extensions: { code: 'undefinedField' } }] });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => answer(res, 500, { errors: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlTemplate: `http://127.0.0.1:${port}/{shop}/admin/api/2025-10/graphql.json`, shop, token, discounts, adds, takenElsewhere,
    throttleNext: () => { throttle = true; },
    dropNextAdd: () => { drop = true; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
