/**
 * The library of ready flows: what it offers (with whether this store installed each), and
 * installing one — the starter templates it sends and the segment it listens to are found in the
 * store or created, then the flow is created as a draft. Installing a ready flow twice returns the
 * flow the first install made (the `flow_library_installs` row), so a retry creates nothing.
 */
import type { Storage } from '../../../db/database.js';
import { AppError, notFound } from '../../../lib/errors.js';
import type { SegmentsService } from '../../segments/index.js';
import type { TemplatesService } from '../../messaging/index.js';
import type { FlowDocument, Step, Trigger } from '../flow.schema.js';
import type { FlowView } from '../flow.view.js';
import type { FlowsService } from '../flows.service.js';
import { libraryDb, type LibraryDb } from './flow-library.table.js';
import { readyFlow, readyFlows, type ReadyFlow, type SegmentNeed } from './ready-flows.js';

export interface ReadyFlowView {
  key: string;
  name: string;
  summary: string;
  why: string;
  note: string | null;
  trigger: Trigger['kind'];
  /** The steps as they will be installed, in order: id, type and name. */
  steps: { id: string; type: Step['type']; name: string | null }[];
  /** The starter templates it sends (copied into the store on install). */
  templates: { starter: string; name: string }[];
  /** The segment it listens to (created on install), if any. */
  segment: { name: string; description: string } | null;
  /** The flow this store installed from it, if any. */
  installed_flow_id: string | null;
}

export interface LibraryServices {
  flows: FlowsService;
  templates: TemplatesService;
  segments: SegmentsService;
}

/** Placeholder ids to draw the document for the catalogue (nothing is checked against them). */
const sketchRefs = (flow: ReadyFlow) => ({ templates: Object.fromEntries(Object.keys(flow.templates).map((k) => [k, `starter:${flow.templates[k]!.starter}`])), segment: flow.segment ? 'segment' : null });

export class FlowLibraryService {
  private readonly write: LibraryDb;
  private readonly read: LibraryDb;
  /** Installs run one at a time per process, so two clicks on "install" make one flow. */
  private installing: Promise<unknown> = Promise.resolve();

  constructor(storage: Storage, private readonly services: () => LibraryServices) {
    this.write = libraryDb(storage.write);
    this.read = libraryDb(storage.read);
  }

  async list(storeId: string): Promise<ReadyFlowView[]> {
    const installed = new Map((await this.installs(storeId)).map((r) => [r.library_key, r.flow_id]));
    return readyFlows.map((flow) => {
      const document = flow.document(sketchRefs(flow)) as FlowDocument;
      return {
        key: flow.key, name: flow.name, summary: flow.summary, why: flow.why, note: flow.note ?? null, trigger: document.trigger.kind,
        steps: document.steps.map((s) => ({ id: s.id, type: s.type, name: s.name ?? null })),
        templates: Object.values(flow.templates), segment: flow.segment ? { name: flow.segment.name, description: flow.segment.description } : null,
        installed_flow_id: installed.get(flow.key) ?? null,
      };
    });
  }

  /** Installs a ready flow as a draft (or returns the one installed before): `created` says which. */
  install(storeId: string, key: string, options: { flowId?: string } = {}): Promise<{ flow: FlowView; created: boolean }> {
    const run = this.installing.then(() => this.installNow(storeId, key, options.flowId));
    this.installing = run.catch(() => undefined);
    return run;
  }

  private async installNow(storeId: string, key: string, flowId?: string): Promise<{ flow: FlowView; created: boolean }> {
    const ready = readyFlow(key);
    if (!ready) throw notFound(`Ready flow "${key}"`);
    const { flows, templates, segments } = this.services();
    const previous = (await this.installs(storeId)).find((r) => r.library_key === key);
    if (previous) {
      const flow = await flows.get(storeId, previous.flow_id).catch(() => undefined);
      if (flow) return { flow, created: false };
      // The flow was deleted: install afresh.
      await this.write.deleteFrom('flow_library_installs').where('store_id', '=', storeId).where('library_key', '=', key).execute();
    }
    const existing = (await templates.list(storeId)).filter((t) => !t.archived_at);
    const templateIds: Record<string, string> = {};
    for (const [local, need] of Object.entries(ready.templates)) {
      const found = existing.find((t) => t.starter_key === need.starter && t.name === need.name);
      templateIds[local] = found ? found.id : (await templates.createFromStarter(storeId, need.starter, { name: need.name })).id;
    }
    let segmentId: string | null = null;
    if (ready.segment) {
      const found = (await segments.list(storeId)).find((s) => s.name === ready.segment!.name);
      segmentId = found ? found.id : (await this.createSegment(segments, storeId, ready.segment)).id;
    }
    const flow = await flows.create(storeId, { name: ready.name, document: ready.document({ templates: templateIds, segment: segmentId }), ...(flowId && { id: flowId }) });
    await this.write.insertInto('flow_library_installs').values({ store_id: storeId, library_key: key, flow_id: flow.id, installed_at: new Date() }).execute();
    return { flow, created: true };
  }

  /** The segment with its rule, or its fallback when the store's predictions are not fitted yet. */
  private async createSegment(segments: SegmentsService, storeId: string, need: SegmentNeed) {
    try {
      return await segments.create(storeId, { name: need.name, description: need.description, rule: need.rule });
    } catch (error) {
      if (!(need.fallback && error instanceof AppError && error.details.some((d) => d.reason.includes('predictions are fitted')))) throw error;
      return segments.create(storeId, { name: need.name, description: need.fallback.description, rule: need.fallback.rule });
    }
  }

  private installs(storeId: string) {
    return this.read.selectFrom('flow_library_installs').select(['library_key', 'flow_id']).where('store_id', '=', storeId).execute();
  }
}
