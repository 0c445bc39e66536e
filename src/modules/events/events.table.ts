export type EventType = 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias';

export interface EventTable {
  store_id: string;
  id: number;
  message_id: string | null;
  type: EventType;
  name: string | null;
  customer_id: number | null;
  anonymous_id: string | null;
  session_id: string | null;
  url: string | null;
  /** JSON text. */
  properties: string;
  source: string;
  occurred_at: Date;
  received_at: Date;
}

export interface IdentityTable {
  store_id: string;
  anonymous_id: string;
  customer_id: number;
  created_at: Date;
}
