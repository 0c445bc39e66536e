/**
 * Starter templates: editable copies a store gets on first use or adds from this list. Each is the
 * shared frame (layout.ts) around its own sections; all read only documented variables.
 */
import type { MessagePurpose } from '../message.types.js';
import { button, discount, email, intro, lineItems, recommendations } from './layout.js';

export interface StarterTemplate {
  key: string;
  name: string;
  description: string;
  purpose: MessagePurpose;
  subject: string;
  preheader: string;
  body: string;
}

const hello = 'Hi {{ customer.first_name | default: "there" }},';

const starters: StarterTemplate[] = [
  {
    key: 'welcome', name: 'Welcome', purpose: 'marketing',
    description: 'Sent when someone subscribes: who you are, and a first-order code when there is one.',
    subject: 'Welcome to {{ store.name }}, {{ customer.first_name | default: "friend" }}',
    preheader: 'Thanks for joining us — here is what to expect.',
    body: email('marketing', [
      intro(`Welcome to {{ store.name }}`, hello, 'Thanks for joining us. You will hear from us when something new arrives, when there is something worth knowing about what you bought, and now and then with an offer just for subscribers.'),
      discount('Here is a little something for your first order:'),
      button('Start shopping', '{{ store.url }}'),
      recommendations('Customers’ favourites'),
    ].join('\n')),
  },
  {
    key: 'abandoned_cart', name: 'Abandoned cart', purpose: 'marketing',
    description: 'Sent after a checkout is left unfinished, with its items and a link back to it.',
    subject: 'You left something behind, {{ customer.first_name | default: "there" }}',
    preheader: 'Your cart at {{ store.name }} is saved — pick up where you left off.',
    body: email('marketing', [
      intro('Still thinking it over?', hello, 'We saved your cart. The {{ checkout.line_items.size }} {{ checkout.line_items.size | pluralize: "item", "items" }} below {{ checkout.line_items.size | pluralize: "is", "are" }} waiting for you.'),
      lineItems('checkout'),
      `      <mj-section><mj-column><mj-text align="right"><strong>Total: {{ checkout.total | money }}</strong></mj-text></mj-column></mj-section>`,
      discount('Complete your order with this code:'),
      button('Return to my cart', '{{ checkout.recovery_url }}'),
    ].join('\n')),
  },
  {
    key: 'browse_abandonment', name: 'Browse abandonment', purpose: 'marketing',
    description: 'Sent after someone looked at products without buying: what they viewed and similar picks.',
    subject: 'Still have your eye on something?',
    preheader: 'A second look at what caught your attention at {{ store.name }}.',
    body: email('marketing', [
      intro('Caught your eye?', hello, 'You were looking around {{ store.name }} recently. Here are a few pieces we think you will like.'),
      recommendations('Picked for you'),
      button('Keep browsing', '{{ store.url }}'),
    ].join('\n')),
  },
  {
    key: 'post_purchase', name: 'Post-purchase: getting the most from it', purpose: 'transactional',
    description: 'Sent a few days after an order: how to use and care for what they bought.',
    subject: 'Getting the most from your order {{ order.name }}',
    preheader: 'A few tips for what you just bought.',
    body: email('transactional', [
      intro('Thank you for your order', hello, 'Your order {{ order.name }} is on its way. Here are a few tips to get the most out of it:'),
      `      <mj-section><mj-column><mj-text><ul>
            <li><strong>Unpack and air it out</strong> — natural materials settle after a day or two.</li>
            <li><strong>Follow the care label</strong> — gentle cycles and air drying keep colours fresh.</li>
            <li><strong>Questions?</strong> Just reply to this email; a person reads every one.</li>
          </ul></mj-text></mj-column></mj-section>`,
      lineItems('order'),
      button('View my order', '{{ order.status_url }}'),
    ].join('\n')),
  },
  {
    key: 'shipping_update', name: 'Shipping and delivery follow-up', purpose: 'transactional',
    description: 'Sent when a fulfilment ships or is delivered, with tracking.',
    subject: '{% if fulfillment.delivered_at %}Delivered: your order {{ order.name }}{% else %}Your order {{ order.name }} is on its way{% endif %}',
    preheader: '{% if fulfillment.carrier %}{{ fulfillment.carrier }} tracking {{ fulfillment.tracking_number }}{% else %}Tracking details inside.{% endif %}',
    body: email('transactional', [
      intro('{% if fulfillment.delivered_at %}Your order has arrived{% else %}Your order is on its way{% endif %}', hello,
        '{% if fulfillment.delivered_at %}Your parcel was delivered on {{ fulfillment.delivered_at | date: "%A %-d %B" }}. We hope you love it.{% else %}Your parcel left us on {{ fulfillment.shipped_at | date: "%A %-d %B" }}{% if fulfillment.estimated_delivery_at %} and should arrive by {{ fulfillment.estimated_delivery_at | date: "%A %-d %B" }}{% endif %}.{% endif %}'),
      `      {% if fulfillment.tracking_url %}<mj-section><mj-column><mj-text>Carrier: <strong>{{ fulfillment.carrier }}</strong><br />Tracking number: <strong>{{ fulfillment.tracking_number }}</strong></mj-text></mj-column></mj-section>{% endif %}`,
      lineItems('fulfillment'),
      button('Track my parcel', '{{ fulfillment.tracking_url | default: order.status_url }}'),
    ].join('\n')),
  },
  {
    key: 'review_request', name: 'Review request', purpose: 'transactional',
    description: 'Sent after delivery: asks for a review of each item.',
    subject: 'How are you finding your {{ order.line_items.first.title | default: "order" }}?',
    preheader: 'Your review helps other shoppers — it takes a minute.',
    body: email('transactional', [
      intro('How did we do?', hello, 'You have had your order for a little while now. Would you tell other shoppers what you think? It takes a minute.'),
      lineItems('order'),
      button('Write a review', '{{ order.status_url }}'),
    ].join('\n')),
  },
  {
    key: 'replenishment', name: 'Replenishment', purpose: 'marketing',
    description: 'Sent when a consumable is likely running low, timed from the customer’s own order rhythm.',
    subject: 'Running low, {{ customer.first_name | default: "there" }}?',
    preheader: 'Time to restock your favourites from {{ store.name }}.',
    body: email('marketing', [
      intro('Time to restock?', hello, 'Based on your last order on {{ order.created_at | date: "%-d %B" }}, you may be running low. Reorder in a couple of clicks:'),
      lineItems('order'),
      button('Reorder now', '{{ store.url }}'),
      recommendations('You might also need'),
    ].join('\n')),
  },
  {
    key: 'win_back', name: 'Win-back', purpose: 'marketing',
    description: 'Sent to customers whose churn risk rose: what is new, and an offer when there is one.',
    subject: 'We miss you, {{ customer.first_name | default: "friend" }}',
    preheader: 'A lot has changed at {{ store.name }} — come and see.',
    body: email('marketing', [
      intro('It has been a while', hello, 'We have not seen you in some time, and a lot has arrived since your last visit. Here is what customers like you are choosing now.'),
      discount('Welcome back — this code is yours:'),
      recommendations('New since your last visit'),
      button('See what is new', '{{ store.url }}'),
    ].join('\n')),
  },
  {
    key: 'vip_welcome', name: 'VIP / tier welcome', purpose: 'marketing',
    description: 'Sent when a customer reaches a loyalty tier or the VIP segment.',
    subject: 'Welcome to {{ loyalty.tier | default: "VIP" }}, {{ customer.first_name | default: "friend" }}',
    preheader: 'Your new perks at {{ store.name }} start today.',
    body: email('marketing', [
      intro('You are one of our best customers', hello, 'With {{ customer.orders_count }} {{ customer.orders_count | pluralize: "order", "orders" }} and {{ customer.total_spent | money }} spent, you are now <strong>{{ loyalty.tier | default: "VIP" }}</strong>. Thank you.'),
      `      <mj-section><mj-column><mj-text><ul>
            <li>Early access to new arrivals</li>
            <li>Free shipping on every order</li>
            <li>A birthday gift from us</li>
          </ul></mj-text></mj-column></mj-section>`,
      button('Shop your perks', '{{ store.url }}'),
    ].join('\n')),
  },
  {
    key: 'points_reminder', name: 'Points reminder', purpose: 'marketing',
    description: 'Reminds a member of their points balance and what it buys.',
    subject: 'You have {{ loyalty.balance | default: 0 }} points waiting',
    preheader: 'Turn your points into a reward at {{ store.name }}.',
    body: email('marketing', [
      intro('Your points are waiting', hello, 'You have <strong>{{ loyalty.balance | default: 0 }} points</strong>{% if loyalty.next_tier %} — {{ loyalty.points_to_next_tier }} more and you reach {{ loyalty.next_tier }}{% endif %}. Use them on your next order.'),
      button('Use my points', '{{ store.url }}'),
      recommendations('Treat yourself'),
    ].join('\n')),
  },
  {
    key: 'nps_survey', name: 'NPS survey', purpose: 'transactional',
    description: 'Asks how likely the customer is to recommend the store, 0 to 10, one click.',
    subject: 'One quick question from {{ store.name }}',
    preheader: 'How likely are you to recommend us? One click.',
    body: email('transactional', [
      intro('One quick question', hello, 'How likely are you to recommend {{ store.name }} to a friend?'),
      `      <mj-section padding="0 16px">
        <mj-column>
          <mj-table align="center" width="100%" table-layout="fixed" cellpadding="0">
            <tr>{% for score in (0..10) %}<td style="padding:2px;text-align:center;"><a href="{{ store.url }}/survey?score={{ score }}" style="display:block;padding:10px 0;border:1px solid #d5d0c5;border-radius:4px;color:{{ store.colors.text }};text-decoration:none;font-weight:bold;font-size:14px;">{{ score }}</a></td>{% endfor %}</tr>
          </mj-table>
          <mj-text css-class="muted" font-size="13px" color="#6b6f76"><table role="presentation" width="100%"><tr><td align="left">Not likely</td><td align="right">Very likely</td></tr></table></mj-text>
        </mj-column>
      </mj-section>`,
    ].join('\n')),
  },
  {
    key: 'birthday', name: 'Birthday', purpose: 'marketing',
    description: 'Sent on the customer\u2019s birthday: good wishes and a gift code when there is one.',
    subject: 'Happy birthday, {{ customer.first_name | default: "friend" }}!',
    preheader: 'A little something from all of us at {{ store.name }}.',
    body: email('marketing', [
      intro('Happy birthday!', hello, 'Everyone at {{ store.name }} wishes you a wonderful day. Thank you for being part of our story — here is a small gift to celebrate.'),
      discount('Your birthday gift:'),
      button('Treat yourself', '{{ store.url }}'),
    ].join('\n')),
  },
  {
    key: 'referral_thanks', name: 'Referral thank-you', purpose: 'marketing',
    description: 'Thanks a customer whose friend placed an order through their referral.',
    subject: 'Thank you for recommending {{ store.name }}',
    preheader: 'Your friend just placed their first order — thank you.',
    body: email('marketing', [
      intro('Thank you for spreading the word', hello, 'A friend you referred has just placed their first order with us. Recommendations like yours are how a small shop grows{% if loyalty.balance %} — you now have <strong>{{ loyalty.balance }} points</strong> to spend{% endif %}.'),
      button('Visit the shop', '{{ store.url }}'),
      recommendations('Something for you'),
    ].join('\n')),
  },
  {
    key: 'newsletter', name: 'Newsletter', purpose: 'marketing',
    description: 'A general newsletter: a story, new arrivals and a call to action.',
    subject: 'New this month at {{ store.name }}',
    preheader: 'Stories, new arrivals and what we are excited about.',
    body: email('marketing', [
      intro('New this month', hello, 'Each month we share what we have been making, what has just arrived, and the stories behind them. Here is the latest.'),
      `      <mj-section><mj-column><mj-text><h2>From the workshop</h2>Every piece in our new collection is made in small batches by people we know by name. This season we worked with natural dyes — the colours shift a little from piece to piece, and we love that.</mj-text></mj-column></mj-section>`,
      recommendations('Just arrived'),
      button('Read more and shop', '{{ store.url }}'),
    ].join('\n')),
  },
];

export function starterTemplates(): readonly StarterTemplate[] {
  return starters;
}

export function starterTemplate(key: string): StarterTemplate | undefined {
  return starters.find((starter) => starter.key === key);
}
