/** The messaging module's public door: templates, sending, the outbox and suppressions. */
export type { MessageChannel, MessageLinks, MessagePurpose, RenderedEmail } from './message.types.js';
