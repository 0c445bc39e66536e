import { WIDGET_PRELUDE } from '../../lib/widget-kit.js';
/**
 * The storefront's reviews widget (`GET /v1/reviews/widget.js`), plain JavaScript for the shop's
 * theme:
 *
 *   <script src="https://hearth.example/v1/reviews/widget.js" data-key="<write key>" async></script>
 *   <div data-hearth-reviews data-product-id="SKU-1"></div>   the summary, the list, "More reviews"
 *   <span data-hearth-stars data-product-id="SKU-1"></span>   stars and count (product grids)
 *
 * It reads the public JSON API with the store's write key, adds the product's schema.org JSON-LD
 * to the page once, and writes every text with textContent: nothing a reviewer wrote becomes markup.
 * A review's photos are thumbnails under its text, each a link to the full photo.
 */
export const REVIEW_WIDGET_SOURCE = String.raw`(function () {
${WIDGET_PRELUDE}  var css = '.hr-stars{color:#e0a100;letter-spacing:1px}.hr-muted{color:#666;font-size:.9em}.hr-summary{display:flex;gap:16px;align-items:center;flex-wrap:wrap;margin:0 0 12px}' +
    '.hr-average{font-size:2em;font-weight:600}.hr-bars{display:grid;grid-template-columns:auto 120px auto;gap:2px 6px;align-items:center;font-size:.85em}' +
    '.hr-bar{background:#eee;height:8px;border-radius:4px;overflow:hidden}.hr-bar i{display:block;height:100%;background:#e0a100}' +
    '.hr-review{border-top:1px solid #e5e5e5;padding:12px 0}.hr-review h4{margin:4px 0}.hr-review p{margin:4px 0;white-space:pre-line;overflow-wrap:anywhere}' +
    '.hr-photos{display:flex;gap:6px;flex-wrap:wrap;margin:6px 0}.hr-photos a{display:block;line-height:0}.hr-photos img{width:72px;height:72px;object-fit:cover;border-radius:4px;border:1px solid #e5e5e5}' +
    '.hr-reply{margin:8px 0 0 12px;padding-left:10px;border-left:3px solid #ddd}.hr-verified{color:#2f5d50;font-size:.85em;margin-left:6px}.hr-more{margin-top:8px;padding:8px 14px;cursor:pointer}';

  function starText(value) {
    var full = Math.round(value);
    return '★★★★★'.slice(0, full) + '☆☆☆☆☆'.slice(0, 5 - full);
  }
  function stars(value, label) {
    var node = el('span', 'hr-stars', starText(value));
    node.setAttribute('role', 'img');
    node.setAttribute('aria-label', label || (value + ' out of 5 stars'));
    return node;
  }
  function get(path, params) {
    var url = new URL(base + path);
    url.searchParams.set('key', key);
    Object.keys(params).forEach(function (name) { url.searchParams.set(name, params[name]); });
    return fetch(url.toString(), { credentials: 'omit' }).then(function (response) {
      if (!response.ok) throw new Error('reviews: ' + response.status);
      return response.json();
    });
  }
  var jsonLdDone = {};
  function addJsonLd(productId) {
    if (jsonLdDone[productId]) return;
    jsonLdDone[productId] = true;
    get('/v1/reviews/jsonld', { product_id: productId, url: location.href.split('#')[0] }).then(function (doc) {
      var tag = document.createElement('script');
      tag.type = 'application/ld+json';
      tag.setAttribute('data-hearth-jsonld', productId);
      tag.textContent = JSON.stringify(doc);
      document.head.appendChild(tag);
    }).catch(function () {});
  }
  function summary(data) {
    var box = el('div', 'hr-summary');
    if (!data.summary.count) {
      box.appendChild(el('span', 'hr-muted', 'No reviews yet'));
      return box;
    }
    var left = el('div');
    left.appendChild(el('div', 'hr-average', data.summary.average.toFixed(1)));
    left.appendChild(stars(data.summary.average, data.summary.average.toFixed(1) + ' out of 5 stars'));
    left.appendChild(el('div', 'hr-muted', data.summary.count + (data.summary.count === 1 ? ' review' : ' reviews')));
    box.appendChild(left);
    var bars = el('div', 'hr-bars');
    data.summary.distribution.forEach(function (row) {
      var count = row.count;
      bars.appendChild(el('span', null, row.stars + '★'));
      var bar = el('span', 'hr-bar');
      var fill = el('i');
      fill.style.width = Math.round((count / data.summary.count) * 100) + '%';
      bar.appendChild(fill);
      bars.appendChild(bar);
      bars.appendChild(el('span', 'hr-muted', count));
    });
    box.appendChild(bars);
    return box;
  }
  function review(item) {
    var node = el('article', 'hr-review');
    node.setAttribute('data-review-id', item.id);
    var head = el('div');
    head.appendChild(stars(item.rating));
    if (item.verified) head.appendChild(el('span', 'hr-verified', '✔ Verified buyer'));
    node.appendChild(head);
    if (item.title) node.appendChild(el('h4', null, item.title));
    if (item.body) node.appendChild(el('p', null, item.body));
    if (item.photos && item.photos.length) {
      var photos = el('div', 'hr-photos');
      item.photos.forEach(function (photo, i) {
        // From the widget's own origin, which the shop's visitors reach by definition.
        var src = base + '/r/photos/' + encodeURIComponent(photo.id);
        var link = el('a');
        link.href = src;
        link.target = '_blank';
        link.rel = 'noopener';
        var img = el('img');
        img.src = src;
        img.loading = 'lazy';
        img.alt = 'Photo ' + (i + 1) + ' from ' + item.author_name;
        link.appendChild(img);
        photos.appendChild(link);
      });
      node.appendChild(photos);
    }
    node.appendChild(el('div', 'hr-muted', item.author_name + ' · ' + new Date(item.reviewed_at).toLocaleDateString()));
    if (item.reply) {
      var reply = el('div', 'hr-reply');
      reply.appendChild(el('strong', null, 'Reply from the store'));
      reply.appendChild(el('p', null, item.reply.body));
      node.appendChild(reply);
    }
    return node;
  }
  function mountList(root) {
    var productId = root.getAttribute('data-product-id');
    if (!productId) return;
    var list = el('div', 'hr-list');
    var more = el('button', 'hr-more', 'More reviews');
    more.type = 'button';
    var page = 1;
    function load() {
      more.disabled = true;
      get('/v1/reviews', { product_id: productId, page: String(page) }).then(function (data) {
        if (page === 1) {
          root.textContent = '';
          root.appendChild(summary(data));
          root.appendChild(list);
        }
        data.data.forEach(function (item) { list.appendChild(review(item)); });
        if (data.next_page) {
          page = data.next_page;
          more.disabled = false;
          root.appendChild(more);
        } else if (more.parentNode) {
          more.parentNode.removeChild(more);
        }
      }).catch(function (e) { if (window.console) console.warn('Hearth reviews: ' + (e && e.message)); root.textContent = ''; });
    }
    more.addEventListener('click', load);
    load();
    addJsonLd(productId);
  }
  function mountStars(root) {
    var productId = root.getAttribute('data-product-id');
    if (!productId) return;
    get('/v1/reviews', { product_id: productId, per_page: '1' }).then(function (data) {
      root.textContent = '';
      if (!data.summary.count) return;
      root.appendChild(stars(data.summary.average, data.summary.average.toFixed(1) + ' out of 5 stars'));
      root.appendChild(el('span', 'hr-muted', ' (' + data.summary.count + ')'));
    }).catch(function () {});
  }
  function start() {
    var style = document.createElement('style');
    style.textContent = css;
    document.head.appendChild(style);
    Array.prototype.forEach.call(document.querySelectorAll('[data-hearth-reviews]'), mountList);
    Array.prototype.forEach.call(document.querySelectorAll('[data-hearth-stars]'), mountStars);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
