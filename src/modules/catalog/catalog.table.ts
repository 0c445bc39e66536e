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
  created_at: Date;
}
