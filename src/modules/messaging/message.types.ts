/**
 * The shapes shared by the two halves of messaging: templates render a message for one recipient,
 * the sender delivers it. The sender makes the recipient's links (they carry signed tokens) and hands
 * them to the renderer, so a rendered message always points at the links of the send that carries it.
 */

/** Links every message may show; marketing email must show the unsubscribe link. */
export interface MessageLinks {
  /** One-click unsubscribe (RFC 8058): a POST unsubscribes, a GET shows the preference page. */
  unsubscribe_url: string;
  /** The preference page: topics, pause for 30 days, unsubscribe from all. */
  preferences_url: string;
  /** The message as a web page. */
  view_in_browser_url: string;
}

/** An email rendered for one recipient, ready to send. */
export interface RenderedEmail {
  subject: string;
  /** Hidden preview text shown by mail clients after the subject. */
  preheader: string;
  html: string;
  /** The plain-text part, generated from the HTML. */
  text: string;
}

/** Why a message is sent: marketing needs consent; transactional follows the store's policy. */
export type MessagePurpose = 'marketing' | 'transactional';

export type MessageChannel = 'email' | 'sms' | 'webhook';
