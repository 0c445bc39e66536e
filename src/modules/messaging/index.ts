/** The messaging module's public door: templates, sending, the outbox and suppressions. */
import type { HearthModule } from '../../module.js';
import { SEND_JOB } from './messages.service.js';

export type { MessageChannel, MessageLinks, MessagePurpose, RenderedEmail } from './message.types.js';
export {
  type CaughtMessageTable, type MessageSendStateTable, type MessageSendTable, type MessageSettingsTable, type MessageSourcePauseTable,
  type MessageSuppressionTable, sendStates, type SendState, suppressedReasons, suppressionReasons, type SuppressionReason, transactionalPolicies,
  type TransactionalPolicy,
} from './sends.table.js';
export {
  DEFAULT_FREQUENCY_CAP_HOURS, DEFAULT_PAUSE_AFTER_ERRORS, DEFAULT_TRANSACTIONAL_POLICY, MessagesService, SEND_JOB, testSendKey, type BatchResult, type EmailToQueue, type MessagingConfig, type QueueResult } from './messages.service.js';
export { UnsubscribeService, PAUSE_DAYS, type Recipient } from './unsubscribe.service.js';
export { SuppressionsService } from './suppressions.service.js';
export { UNSUBSCRIBE_PATH, VIEW_PATH } from './message-links.js';
export { escapeHtml, invalidLinkPage, preferencePage } from './unsubscribe.page.js';
export type { SendWithState } from './sends.repository.js';

export const messagingModule: HearthModule = {
  name: 'messaging',
  jobs: [{
    kind: SEND_JOB,
    run: (services, context) => {
      const payload = context.payload as { store_id: string; ids: number[] };
      return services.messages.sendBatch(payload.store_id, payload.ids, (fraction) => context.progress(Math.min(1, fraction)));
    },
  }],
  start: async (services) => {
    await services.messages.recoverInterrupted();
  },
};
