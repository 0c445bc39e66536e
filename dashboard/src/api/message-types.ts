/** Messages, the outbox and suppressions, as the server's schemas define them. Type-only imports. */
export type { Message, MessageDetail, MessageList, MessagingSettings, SendState, Suppression } from '../../../src/http/schemas/messages.schemas';
