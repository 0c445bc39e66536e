/**
 * Builders for the data API's JSON shapes (money in minor units, ISO times) and the writer's
 * input shapes (Dates). Each takes overrides so a test states only what it is about.
 */
import type { CustomerInput, OrderInput, ReturnInput } from '../../src/modules/commerce/commerce.input.js';

export function aCustomerJson(externalId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { external_id: externalId, email: `${externalId}@example.com`, first_name: 'Ada', last_name: 'Lovelace', country: 'GB', ...overrides };
}

export function anOrderJson(externalId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    external_id: externalId,
    customer_external_id: 'cust-1',
    placed_at: '2024-03-01T10:00:00Z',
    currency: 'EUR',
    shipping: 495,
    lines: [
      { product_external_id: 'prod-1', sku: 'MUG', title: 'Mug', quantity: 2, unit_price: 1250 },
      { product_external_id: 'prod-2', sku: 'TEA', title: 'Tea', quantity: 1, unit_price: 800 },
    ],
    ...overrides,
  };
}

export function aCustomer(externalId: string, overrides: Partial<CustomerInput> = {}): CustomerInput {
  return { external_id: externalId, email: `${externalId}@example.com`, ...overrides };
}

/** An order of `lines` lines, each quantity 1 at 1,000 + line number minor units. */
export function anOrder(externalId: string, overrides: Partial<OrderInput> = {}, lines = 2): OrderInput {
  return {
    external_id: externalId,
    customer_external_id: 'cust-1',
    placed_at: new Date('2024-03-01T10:00:00Z'),
    currency: 'EUR',
    lines: Array.from({ length: lines }, (_, i) => ({ product_external_id: `prod-${i + 1}`, quantity: 1, unit_price: 1000 + i + 1 })),
    ...overrides,
  };
}

export function aReturn(externalId: string, orderExternalId: string, amount: number, overrides: Partial<ReturnInput> = {}): ReturnInput {
  return { external_id: externalId, order_external_id: orderExternalId, returned_at: new Date('2024-03-10T09:00:00Z'), currency: 'EUR', amount, ...overrides };
}
