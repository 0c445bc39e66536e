/**
 * The frame every starter shares: the store's logo or name on top, a content card, and the legal
 * footer (store address, why they get this, preferences and one-click unsubscribe). Written as MJML
 * with Liquid, so a store edits the copy it gets like any other template.
 */

export const head = `  <mj-head>
    <mj-attributes>
      <mj-all font-family="Helvetica, Arial, sans-serif" />
      <mj-text font-size="16px" line-height="1.55" color="{{ store.colors.text }}" padding="8px 24px" />
      <mj-button background-color="{{ store.colors.primary }}" color="#ffffff" font-size="16px" font-weight="bold" border-radius="6px" inner-padding="14px 28px" padding="16px 24px" />
      <mj-section padding="0" />
    </mj-attributes>
    <mj-style>
      h1 { font-size: 26px; line-height: 1.25; margin: 0 0 8px; font-weight: bold; }
      h2 { font-size: 20px; line-height: 1.3; margin: 0 0 6px; }
      .muted { color: #6b6f76; font-size: 13px; }
      .muted a { color: #6b6f76; }
      .price { font-weight: bold; }
    </mj-style>
  </mj-head>`;

export const header = `    <mj-section padding="24px 0 12px">
      <mj-column>
        {% if store.logo_url %}<mj-image src="{{ store.logo_url }}" alt="{{ store.name }}" width="140px" href="{{ store.url }}" padding="0 24px" />{% else %}<mj-text align="center" font-size="22px" font-weight="bold" color="{{ store.colors.primary }}">{{ store.name }}</mj-text>{% endif %}
      </mj-column>
    </mj-section>`;

/** The legal footer of marketing mail; transactional mail keeps the address and the preferences link. */
export const footer = (purpose: 'marketing' | 'transactional'): string => `    <mj-section padding="20px 0 32px">
      <mj-column>
        <mj-text align="center" css-class="muted" font-size="13px" color="#6b6f76">
          {{ store.name }}{% if store.address %} · {{ store.address }}{% endif %}<br />
          ${purpose === 'marketing'
    ? 'You are receiving this because you subscribed to emails from {{ store.name }}.<br />\n          <a href="{{ links.preferences_url }}">Email preferences</a> · <a href="{{ links.unsubscribe_url }}">Unsubscribe</a> · <a href="{{ links.view_in_browser_url }}">View in browser</a>'
    : 'This email is about your order with {{ store.name }}.<br />\n          <a href="{{ links.preferences_url }}">Email preferences</a> · <a href="{{ links.view_in_browser_url }}">View in browser</a>'}
        </mj-text>
      </mj-column>
    </mj-section>`;

/** A whole email: the frame around the given sections. */
export function email(purpose: 'marketing' | 'transactional', sections: string): string {
  return `<mjml>
${head}
  <mj-body background-color="{{ store.colors.background }}" width="600px">
${header}
    <mj-wrapper background-color="#ffffff" border-radius="10px" padding="16px 0">
${sections}
    </mj-wrapper>
${footer(purpose)}
  </mj-body>
</mjml>
`;
}

/** A heading and paragraphs in the card. */
export const intro = (heading: string, ...paragraphs: string[]): string => `      <mj-section>
        <mj-column>
          <mj-text><h1>${heading}</h1></mj-text>
${paragraphs.map((p) => `          <mj-text>${p}</mj-text>`).join('\n')}
        </mj-column>
      </mj-section>`;

export const button = (label: string, href: string): string => `      <mj-section>
        <mj-column>
          <mj-button href="${href}">${label}</mj-button>
        </mj-column>
      </mj-section>`;

/** Line items of an order, checkout or shipment: image, title, quantity and price; stacks on a phone. */
export const lineItems = (source: string): string => `      {% for item in ${source}.line_items %}
      <mj-section padding="6px 12px">
        <mj-column width="30%">
          <mj-image src="{{ item.image | image_url: width: 240 }}" alt="{{ item.title }}" width="120px" border-radius="6px" padding="6px 12px" />
        </mj-column>
        <mj-column width="70%" vertical-align="middle">
          <mj-text padding="4px 12px"><strong>{{ item.title }}</strong>{% if item.variant_title %}<br /><span class="muted">{{ item.variant_title }}</span>{% endif %}</mj-text>
          <mj-text padding="0 12px">{{ item.quantity }} × <span class="price">{{ item.price | money }}</span></mj-text>
        </mj-column>
      </mj-section>
      {% endfor %}`;

/**
 * Products the personalisation module recommends, three to a row on desktop, stacked on a phone. The
 * loop repeats a column MJML sees once, so the column states its width.
 */
export const recommendations = (heading: string): string => `      {% if recommendations.size > 0 %}
      <mj-section padding="8px 12px 0">
        <mj-column>
          <mj-divider border-color="#e6e2da" border-width="1px" padding="8px 12px" />
          <mj-text padding="8px 12px"><h2>${heading}</h2></mj-text>
        </mj-column>
      </mj-section>
      <mj-section padding="0 12px 8px">
        {% for product in recommendations limit: 3 %}
        <mj-column width="33%">
          <mj-image src="{{ product.image | image_url: width: 360 }}" alt="{{ product.title }}" href="{{ product.url }}" border-radius="6px" padding="8px 12px" />
          <mj-text align="center" padding="2px 12px"><a href="{{ product.url }}" style="color: inherit; text-decoration: none;">{{ product.title }}</a><br /><span class="price">{{ product.price | money }}</span></mj-text>
        </mj-column>
        {% endfor %}
      </mj-section>
      {% endif %}`;

export const discount = (text: string): string => `      {% if discount_code %}
      <mj-section padding="8px 24px">
        <mj-column border="2px dashed {{ store.colors.primary }}" border-radius="8px">
          <mj-text align="center">${text}<br /><strong style="font-size: 22px; letter-spacing: 2px;">{{ discount_code }}</strong></mj-text>
        </mj-column>
      </mj-section>
      {% endif %}`;
