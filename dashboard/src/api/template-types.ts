/** Message templates, as the server's schemas define them. */
export type { MessagePreview, MessageTemplate, MessageTemplateSummary, StarterList, TemplateTestSend } from '../../../src/http/schemas/templates.schemas';
