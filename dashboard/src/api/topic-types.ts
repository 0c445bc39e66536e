/** Email topics, as the server's schemas define them. */
export type { EmailTopic } from '../../../src/http/schemas/topics.schemas';
