/**
 * Collects parsed entities into writer batches. Rows of one order (one invoice, one Shopify order)
 * are grouped while they keep coming; a batch is cut only between orders, so an order is never
 * split over two transactions. An order whose rows come back after its batch was written is
 * rejected rather than silently replaced by its late rows.
 */
import type { CustomerInput, CommerceBatch, OrderInput, ProductInput, ReturnInput } from '../commerce/index.js';

export interface Reject {
  line: number;
  reason: string;
  raw: string;
  /** How many rows the reject stands for (an order rejected by the writer covers all its rows). */
  rows: number;
}

/** Where an entity came from: its first line and how many rows it was built from. */
export interface Origin {
  line: number;
  rows: number;
  raw: string;
}

export interface PendingBatch {
  batch: Required<Pick<CommerceBatch, 'customers' | 'products' | 'orders' | 'returns'>>;
  origins: Map<object, Origin>;
}

export interface BatchLimits {
  /** Orders plus returns per batch. */
  entities: number;
  /** Order and return lines per batch. */
  lines: number;
}

export const defaultLimits: BatchLimits = { entities: 25_000, lines: 250_000 };

type Kind = 'customers' | 'products' | 'orders' | 'returns';

export class BatchBuilder {
  private readonly maps = {
    customers: new Map<string, CustomerInput>(),
    products: new Map<string, ProductInput>(),
    orders: new Map<string, OrderInput>(),
    returns: new Map<string, ReturnInput>(),
  };
  private origins = new Map<object, Origin>();
  /** Ids written in earlier batches of this run. */
  private readonly written = { customers: new Set<string>(), products: new Set<string>(), orders: new Set<string>(), returns: new Set<string>() };
  private openOrder: string | undefined;
  private openReturn: string | undefined;
  private lineCount = 0;
  rejects: Reject[] = [];
  rowsRead = 0;
  rowsRejected = 0;

  constructor(private readonly limits: BatchLimits = defaultLimits) {}

  reject(line: number, reason: string, raw: string, rows = 1): void {
    this.rejects.push({ line, reason, raw, rows });
    this.rowsRejected += rows;
  }

  /**
   * Adds a customer. With `once`, a customer already given in this run is kept as first given
   * (derived customers: the first row wins); otherwise the later row replaces it.
   */
  customer(input: CustomerInput, origin: Origin, once = false): void {
    this.put('customers', input.external_id, input, origin, once);
  }

  product(input: ProductInput, origin: Origin, once = false): void {
    this.put('products', input.external_id, input, origin, once);
  }

  /** True when the id is already in this run, written or pending. */
  has(kind: 'customers' | 'products', id: string): boolean {
    return this.maps[kind].has(id) || this.written[kind].has(id);
  }

  /**
   * The order with this id in the current batch, created if new. Undefined when its batch has
   * already been written (the file's rows for it are not together) or `create` declined.
   */
  order(id: string, origin: Origin, create: () => OrderInput | undefined): OrderInput | undefined {
    return this.group('orders', id, origin, create);
  }

  return(id: string, origin: Origin, create: () => ReturnInput | undefined): ReturnInput | undefined {
    return this.group('returns', id, origin, create);
  }

  /** Counts lines added to an order or return (for the batch size) and the rows they came from. */
  addedLine(entity: object, lines = 1, rows = 1): void {
    this.lineCount += lines;
    const origin = this.origins.get(entity);
    if (origin) origin.rows += rows;
  }

  /** An order or return may take no further rows: the next batch may be cut before it. */
  close(): void {
    this.openOrder = undefined;
    this.openReturn = undefined;
  }

  get ready(): boolean {
    return this.maps.orders.size + this.maps.returns.size >= this.limits.entities || this.lineCount >= this.limits.lines
      || this.maps.customers.size + this.maps.products.size >= 2 * this.limits.entities;
  }

  get empty(): boolean {
    return Object.values(this.maps).every((map) => map.size === 0);
  }

  /** Takes everything but the order (and return) still open, which goes into the next batch. */
  take(): PendingBatch {
    const batch = { customers: [] as CustomerInput[], products: [] as ProductInput[], orders: [] as OrderInput[], returns: [] as ReturnInput[] };
    const origins = new Map<object, Origin>();
    const kept = new Map<object, Origin>();
    this.lineCount = 0;
    for (const kind of ['customers', 'products', 'orders', 'returns'] as const) {
      const map = this.maps[kind] as Map<string, object>;
      const open = kind === 'orders' ? this.openOrder : kind === 'returns' ? this.openReturn : undefined;
      const openEntity = open === undefined ? undefined : map.get(open);
      for (const [id, entity] of map) {
        if (entity === openEntity) continue;
        // An order whose every row was rejected has nothing left to write.
        if (kind === 'orders' && (entity as OrderInput).lines.length === 0) continue;
        (batch[kind] as object[]).push(entity);
        origins.set(entity, this.origins.get(entity)!);
        this.written[kind].add(id);
      }
      map.clear();
      if (open !== undefined && openEntity) {
        map.set(open, openEntity);
        kept.set(openEntity, this.origins.get(openEntity)!);
        this.lineCount += (openEntity as { lines?: unknown[] }).lines?.length ?? 0;
      }
    }
    this.origins = kept;
    return { batch, origins };
  }

  private put(kind: 'customers' | 'products', id: string, input: CustomerInput | ProductInput, origin: Origin, once: boolean): void {
    if (once && this.has(kind, id)) return;
    const map = this.maps[kind] as Map<string, object>;
    const previous = map.get(id);
    if (previous) this.origins.delete(previous);
    map.set(id, input);
    this.origins.set(input, { ...origin });
  }

  private group<T extends object>(kind: Extract<Kind, 'orders' | 'returns'>, id: string, origin: Origin, create: () => T | undefined): T | undefined {
    const map = this.maps[kind] as unknown as Map<string, T>;
    let entity = map.get(id);
    if (!entity) {
      if (this.written[kind].has(id)) return undefined;
      entity = create();
      if (!entity) return undefined;
      map.set(id, entity);
      this.origins.set(entity, { ...origin, rows: 0 });
    }
    if (kind === 'orders') this.openOrder = id;
    else this.openReturn = id;
    return entity;
  }
}
