/** The messaging module's public door: templates, sending, the outbox and suppressions. */
import type { HearthModule } from '../../module.js';
import { SEND_JOB } from './messages.service.js';

export type { MessageChannel, MessageLinks, MessagePurpose, RenderedEmail } from './message.types.js';
export {
  type PreviewResult, type TemplateDependencies, type TemplateInput, TemplatesService, type TemplateSummary, type TemplateView, type TestSender, type TestSendResult,
} from './templates.service.js';
export {
  compileTemplate, compileText, renderEmail, renderText, type CompiledEmail, type CompiledText, type TemplateProblem, type TemplateSource, type TextProblem,
} from './template-render.js';
export { htmlToText } from './template-text.js';
export { checkoutVariables, fulfillmentVariables, orderVariables } from './order-variables.js';
export {
  type CustomerFacts, customerVariables, recipientVariables, type RecipientVariables, type MessageExtras, type MessageVariables, sampleLinks, sampleVariables, type StoreVariables, unknownVariable, variableTree,
} from './message-context.js';
export { type StarterTemplate, starterTemplates } from './starter-templates/index.js';
export {
  type CaughtMessageTable, type MessageBodyTable, type MessageSendStateTable, type MessageSendTable, type MessageSettingsTable, type MessageSourcePauseTable,
  type MessageSuppressionTable, type SendHeading, type SendWithBodies, sendStates, webhookConsents, type WebhookConsent, type SendState, suppressedReasons, suppressionReasons, type SuppressionReason, transactionalPolicies,
  type TransactionalPolicy,
} from './sends.table.js';
export {
  DEFAULT_FREQUENCY_CAP_HOURS, DEFAULT_PAUSE_AFTER_ERRORS, DEFAULT_TRANSACTIONAL_POLICY, MessagesService, SEND_JOB, TEST_SENDS_PER_MINUTE, testSendKey, type BatchResult, type EmailToQueue, type MessagingConfig, type QueueResult } from './messages.service.js';
export { UnsubscribeService, PAUSE_DAYS, type Recipient } from './unsubscribe.service.js';
export { type CustomerMessage, customerMessages, customerTopicChanges, customerTopics } from './customer-messages.js';
export { STARTER_TOPICS, TOPIC_ID, type TopicChoice, type TopicInput, TopicsService, type TopicView } from './topics.service.js';
export { SuppressionsService } from './suppressions.service.js';
export { UNSUBSCRIBE_PATH, VIEW_PATH } from './message-links.js';
export { escapeHtml, invalidLinkPage, preferencePage } from './unsubscribe.page.js';
export type { SendWithState } from './sends.repository.js';
export { CampaignEmails, campaignSource, type OfferCodes } from './campaign-emails.js';
export { CLICK_PATH, EngagementService, OPEN_PATH, type SourceFigures } from './engagement.service.js';
export { PIXEL_GIF } from './link-tracking.js';
export { readMailgun, readPostmark, readSendGrid, readSesNotification, type DeliveryEvent, type ReadResult } from './delivery-events.js';
export { readBounceMail } from './bounce-mail.js';
export { DEFAULT_QUIET_HOURS, quietUntil } from './send-timing.js';
export { SmsWebhooksService, type SmsWebhookOutcome } from './sms-webhooks.service.js';
export { checkChannelReady, type MessageToQueue, type OtherChannel, type RenderedMessage } from './channel-sends.js';
export { normalisePhone, smsSize, type SmsEncoding } from './sms-text.js';
export { twilioSignature, TWILIO_API } from './sms-transport.js';
export { newWebhookSecret, type WebhookPayload } from './webhook-channel.js';
export { GLOBAL_HOLDOUT_MAX_SHARE, globalHoldoutKey, inGlobalHoldout } from './global-holdout.js';
export { DeliveryReportsService, deliveryProviders, type DeliveryProvider, SOFT_BOUNCE_DAYS, SOFT_BOUNCE_LIMIT } from './delivery-reports.service.js';

export const messagingModule: HearthModule = {
  name: 'messaging',
  jobs: [{
    kind: SEND_JOB,
    lane: 'sends',
    run: async (services, context) => {
      const payload = context.payload as { store_id: string; ids: number[] };
      const result = await services.messages.sendBatch(payload.store_id, payload.ids, (fraction) => context.progress(Math.min(1, fraction)));
      // A campaign whose last messages went out in this batch is now sent.
      await services.campaigns.settleSent(payload.store_id);
      return result;
    },
  }],
  start: async (services) => {
    await services.messages.recoverInterrupted();
  },
};
