export interface ProductTable {
  store_id: string;
  id: number;
  external_id: string;
  title: string;
  category: string | null;
  /** Minor units of `currency`. */
  price: number | null;
  currency: string | null;
  image_url: string | null;
  /** Null: not said, taken as published. */
  published: boolean | null;
  /** A time still to come: not yet published. */
  published_at: Date | null;
  /** Units in stock; null: not counted, taken as available. */
  inventory_quantity: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface VariantTable {
  store_id: string;
  id: number;
  product_id: number;
  external_id: string;
  sku: string | null;
  title: string | null;
  price: number | null;
  /** Units in stock; null: not counted. */
  inventory_quantity: number | null;
  created_at: Date;
}
