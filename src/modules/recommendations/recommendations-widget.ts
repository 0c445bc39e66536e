import { WIDGET_MONEY, WIDGET_PRELUDE } from '../../lib/widget-kit.js';
/**
 * The storefront's recommendations widget (`GET /v1/recommendations/widget.js`), plain JavaScript
 * for the shop's theme (docs/storefront.md):
 *
 *   <script src="https://hearth.example/v1/recommendations/widget.js" data-key="<write key>" async></script>
 *   <div data-hearth-recommendations data-product="<external id>" data-title="Bought together"></div>
 *   <div data-hearth-recommendations data-customer="<external id>" data-signature="<made by the shop's server>"></div>
 *
 * A product page shows what is bought with the product; a signed-in customer's page their own
 * picks (or, with `data-model`, one model's). Each card links to the product page (`data-product-url`,
 * default `/products/{id}` on the shop's own origin), with its image, title, price and the reason
 * in words; `data-min-price` / `data-max-price` (minor units) keep to a price band. Drawn in a shadow root, so the theme's styles neither break it nor are broken by it;
 * every text is written with textContent. Nothing is shown when there is nothing to recommend.
 */
export const RECOMMENDATIONS_WIDGET_SOURCE = String.raw`(function () {
${WIDGET_PRELUDE}  var css = ':host{display:block}.hrc-title{font:600 1.1em/1.3 system-ui,sans-serif;margin:0 0 10px}' +
    '.hrc-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:14px}' +
    '.hrc-card{display:flex;flex-direction:column;gap:4px;color:inherit;text-decoration:none;font:14px/1.35 system-ui,sans-serif}' +
    '.hrc-card img,.hrc-card .hrc-blank{width:100%;aspect-ratio:1;object-fit:cover;border-radius:6px;background:#f1efe9}' +
    '.hrc-card{min-width:0;overflow-wrap:anywhere}.hrc-name{font-weight:600}.hrc-why{color:#666;font-size:12px}.hrc-card:focus-visible{outline:2px solid #2f5d50;outline-offset:2px}';

${WIDGET_MONEY}  function productUrl(template, id) {
    var path = (template || '/products/{id}').split('{id}').join(encodeURIComponent(id));
    try {
      var url = new URL(path, window.location.href);
      // Only the web: a template cannot make a javascript: link.
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : '#';
    } catch (e) { return '#'; }
  }

  function render(host) {
    var params = new URLSearchParams();
    params.set('key', key);
    var product = host.getAttribute('data-product');
    var customer = host.getAttribute('data-customer');
    if (product) params.set('product', product);
    else if (customer) {
      params.set('customer', customer);
      params.set('signature', host.getAttribute('data-signature') || '');
    } else return;
    var model = host.getAttribute('data-model');
    if (model) params.set('model', model);
    params.set('k', host.getAttribute('data-k') || '4');
    var minPrice = host.getAttribute('data-min-price');
    if (minPrice) params.set('min_price', minPrice);
    var maxPrice = host.getAttribute('data-max-price');
    if (maxPrice) params.set('max_price', maxPrice);
    var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
    fetch(base + '/v1/recommendations?' + params.toString(), { credentials: 'omit' }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    }).then(function (data) {
      if (!data || !data.items || data.items.length === 0) return;
      var style = el('style');
      style.textContent = css;
      root.appendChild(style);
      var title = host.getAttribute('data-title') || (product ? 'Often bought together' : 'Picked for you');
      root.appendChild(el('h3', 'hrc-title', title));
      var grid = el('div', 'hrc-grid');
      data.items.forEach(function (item) {
        var card = el('a', 'hrc-card');
        card.href = productUrl(host.getAttribute('data-product-url'), item.external_id);
        card.setAttribute('data-product-id', item.external_id);
        if (item.image_url && /^(https?:|data:image\/)/i.test(item.image_url)) {
          var image = el('img');
          image.src = item.image_url;
          image.alt = '';
          image.loading = 'lazy';
          card.appendChild(image);
        } else card.appendChild(el('span', 'hrc-blank'));
        card.appendChild(el('span', 'hrc-name', item.title));
        var price = money(item.price, item.currency);
        if (price) card.appendChild(el('span', 'hrc-price', price));
        if (item.explanation) card.appendChild(el('span', 'hrc-why', item.explanation));
        grid.appendChild(card);
      });
      root.appendChild(grid);
    }).catch(function () { /* nothing to show: the page stays as the shop made it */ });
  }

  function start() {
    var hosts = document.querySelectorAll('[data-hearth-recommendations]');
    for (var i = 0; i < hosts.length; i += 1) if (!hosts[i].shadowRoot) render(hosts[i]);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
