export interface CustomerTable {
  store_id: string;
  id: number;
  external_id: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  country: string | null;
  city: string | null;
  accepts_marketing: boolean;
  tags: string[];
  /** Custom attributes as JSON text. */
  attributes: string;
  created_at: Date;
  updated_at: Date;
}
