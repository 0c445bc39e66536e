/**
 * A marketing template that lists the recipient's recommendations as `[title / explanation]`, and
 * the parser that reads them back from a received email's text part.
 */
export const picksTemplate = {
  name: 'Picks', purpose: 'marketing', subject: 'Picked for you',
  body: `<mjml><mj-body><mj-section><mj-column>
    <mj-text>{% for p in recommendations %}[{{ p.title }} / {{ p.explanation }}]{% endfor %}</mj-text>
    <mj-text>{{ store.address }}</mj-text><mj-text><a href="{{ links.unsubscribe_url }}">Unsubscribe</a></mj-text>
  </mj-column></mj-section></mj-body></mjml>`,
};

/** The recommendations an email of `picksTemplate` carries, in order. */
export const picksIn = (text: string | undefined): { title: string; why: string }[] =>
  [...(text ?? '').matchAll(/\[([^\]/]+) \/ ([^\]]+)\]/g)].map((m) => ({ title: m[1]!.trim(), why: m[2]!.trim() }));
