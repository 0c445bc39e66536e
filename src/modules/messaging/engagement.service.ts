/**
 * Opens and clicks: the signed tracked links and open pixel of a sent message (link-tracking.ts)
 * recorded as append-only rows, and the figures a campaign's results show — messages by state,
 * unique openers and clickers, unsubscribes, complaints and bounces — per batch source.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { trackEmail, trackingStore, verifyTracking, type TrackedLink, type TrackedOpen } from './link-tracking.js';
import type { MessageLinks, RenderedEmail } from './message.types.js';

export { CLICK_PATH, OPEN_PATH } from './link-tracking.js';

/** What happened to the messages of one batch source (a campaign). */
export interface SourceFigures {
  queued: number;
  sent: number;
  failed: number;
  suppressed: number;
  uncertain: number;
  /** Recipients who opened at least once: inflated by mail privacy proxies that fetch every image. */
  opened: number;
  clicked: number;
  /** Recipients of the source who later unsubscribed through its link, complained or hard-bounced. */
  unsubscribed: number;
  complained: number;
  bounced: number;
}

export class EngagementService {
  constructor(private readonly storage: Storage, private readonly publicUrl: string, private readonly keyOf: (storeId: string) => Promise<Buffer>) {}

  /** Rewrites a rendered email's links to tracked redirects and adds the open pixel. */
  track(rendered: RenderedEmail, recipient: { storeId: string; sendKey: string; customerId: number; links: MessageLinks; key: Buffer }): RenderedEmail {
    return trackEmail(rendered, { ...recipient, publicUrl: this.publicUrl });
  }

  /** Records a click and answers where to send the person: only ever the URL the message carried. */
  async click(token: string, userAgent: string | undefined): Promise<string> {
    const link = await this.verified<TrackedLink>(token, 'link');
    await this.record(link, 'click', link.url, userAgent);
    return link.url;
  }

  async open(token: string, userAgent: string | undefined): Promise<void> {
    const open = await this.verified<TrackedOpen>(token.replace(/\.gif$/, ''), 'open');
    await this.record(open, 'open', null, userAgent);
  }

  /** First click of each recipient of a source, for attributing orders to clicks. */
  async firstClicks(storeId: string, source: string): Promise<{ customer_id: number; clicked_at: Date }[]> {
    const { rows } = await sql<{ customer_id: number; clicked_at: Date }>`select e.customer_id, min(e.occurred_at) as clicked_at
      from message_engagement e join message_sends s on s.store_id = e.store_id and s.send_key = e.send_key
      where e.store_id = ${storeId} and s.source = ${source} and e.kind = 'click' and e.customer_id is not null
      group by e.customer_id`.execute(this.storage.read);
    return rows.map((r) => ({ customer_id: Number(r.customer_id), clicked_at: r.clicked_at }));
  }

  async figures(storeId: string, source: string): Promise<SourceFigures> {
    const { rows } = await sql<Record<keyof SourceFigures, number>>`
      with sends as (select id, send_key, to_address, created_at from message_sends where store_id = ${storeId} and source = ${source}),
      latest as (
        select st.send_id, arg_max(st.state, st.seq) as state from message_send_states st
        where st.store_id = ${storeId} and st.send_id in (select id from sends) group by st.send_id
      ),
      engaged as (
        select e.kind, count(distinct e.send_key)::int as n from message_engagement e
        where e.store_id = ${storeId} and e.send_key in (select send_key from sends) group by e.kind
      ),
      suppressed as (
        select x.reason, count(*)::int as n from message_suppressions x join sends s on x.address = s.to_address
        where x.store_id = ${storeId} and x.created_at >= s.created_at group by x.reason
      )
      select
        (select count(*) filter (where state = 'queued') from latest)::int as queued,
        (select count(*) filter (where state = 'sent') from latest)::int as sent,
        (select count(*) filter (where state = 'failed') from latest)::int as failed,
        (select count(*) filter (where state = 'suppressed') from latest)::int as suppressed,
        (select count(*) filter (where state = 'uncertain') from latest)::int as uncertain,
        coalesce((select n from engaged where kind = 'open'), 0)::int as opened,
        coalesce((select n from engaged where kind = 'click'), 0)::int as clicked,
        coalesce((select sum(n) from suppressed where reason = 'unsubscribed'), 0)::int as unsubscribed,
        coalesce((select sum(n) from suppressed where reason = 'complaint'), 0)::int as complained,
        coalesce((select sum(n) from suppressed where reason = 'hard_bounce'), 0)::int as bounced`.execute(this.storage.read);
    return rows[0]!;
  }

  private async verified<T extends TrackedLink | TrackedOpen>(token: string, kind: 'link' | 'open'): Promise<T> {
    const invalid = new AppError('not_found', 'This link is not valid. It may have been copied incompletely.');
    const storeId = trackingStore(token);
    if (!storeId) throw invalid;
    const store = await this.storage.read.selectFrom('stores').select('id').where('id', '=', storeId).executeTakeFirst();
    if (!store) throw invalid;
    const value = verifyTracking<T>(await this.keyOf(storeId), token, kind);
    if (!value) throw invalid;
    return value;
  }

  private async record(value: TrackedOpen, kind: 'open' | 'click', url: string | null, userAgent: string | undefined): Promise<void> {
    await sql`insert into message_engagement (store_id, id, send_key, customer_id, kind, url, user_agent, occurred_at)
      values (${value.store}, nextval('message_engagement_id_seq'), ${value.send}, ${value.customer}, ${kind}, ${url}, ${userAgent?.slice(0, 500) ?? null}, ${new Date()})`
      .execute(this.storage.write);
  }
}
