/** The messaging module's public door: templates, sending, the outbox and suppressions. */
export type { MessageChannel, MessageLinks, MessagePurpose, RenderedEmail } from './message.types.js';
export {
  type PreviewResult, type TemplateDependencies, type TemplateInput, TemplatesService, type TemplateSummary, type TemplateView, type TestSender,
} from './templates.service.js';
export { compileTemplate, renderEmail, type CompiledEmail, type TemplateProblem, type TemplateSource } from './template-render.js';
export { htmlToText } from './template-text.js';
export {
  customerVariables, type MessageExtras, type MessageVariables, sampleLinks, sampleVariables, type StoreVariables, unknownVariable, variableTree,
} from './message-context.js';
export { type StarterTemplate, starterTemplates } from './starter-templates/index.js';
