import { WIDGET_MONEY, WIDGET_PRELUDE } from '../../lib/widget-kit.js';
/**
 * The storefront's loyalty widget (`GET /v1/loyalty/widget.js`), plain JavaScript for the shop's
 * theme, on a page of the signed-in customer (docs/storefront.md):
 *
 *   <script src="https://hearth.example/v1/loyalty/widget.js" data-key="<write key>" async></script>
 *   <div data-hearth-loyalty data-customer="<external id>" data-signature="<made by the shop's server>"></div>
 *
 * It shows the customer's points and what they are worth, the tier and the way to the next, how to
 * earn, the rewards with a Redeem button (the code appears once redeemed; a retried click sends the
 * same Idempotency-Key) and the latest history. Every text is written with textContent.
 */
export const LOYALTY_WIDGET_SOURCE = String.raw`(function () {
${WIDGET_PRELUDE}  var css = '.hl-box{font:inherit;max-width:560px}.hl-points{font-size:2em;font-weight:600;margin:0}.hl-muted{color:#666;font-size:.9em}' +
    '.hl-bar{background:#eee;height:8px;border-radius:4px;overflow:hidden;margin:6px 0}.hl-bar i{display:block;height:100%;background:#2f5d50}' +
    '.hl-box h4{margin:16px 0 6px}.hl-reward{display:flex;justify-content:space-between;align-items:center;gap:12px;flex-wrap:wrap;border-top:1px solid #e5e5e5;padding:8px 0}' +
    '.hl-reward button{padding:6px 14px;cursor:pointer}.hl-code{font-family:monospace;font-size:1.1em;background:#f3f3f3;padding:2px 6px;border-radius:4px}' +
    '.hl-error{color:#a3231f}.hl-history{list-style:none;padding:0;margin:0}.hl-history li{display:flex;justify-content:space-between;gap:12px;padding:4px 0;border-top:1px solid #f0f0f0}';

${WIDGET_MONEY}  function unit(currency) {
    try { return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency, minimumFractionDigits: 0, maximumFractionDigits: 0 }).format(1); } catch (e) { return '1 ' + currency; }
  }
  var kinds = { earn: 'Earned', redeem: 'Redeemed', expire: 'Expired', adjust: 'Adjusted', reverse: 'Taken back' };
  function points(n) { return n.toLocaleString() + (Math.abs(n) === 1 ? ' point' : ' points'); }
  function newKey() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
  }
  function call(method, path, params, body, idempotencyKey) {
    var url = new URL(base + path);
    var options = { method: method, credentials: 'omit', headers: {} };
    if (method === 'GET') {
      url.searchParams.set('key', key);
      Object.keys(params).forEach(function (name) { url.searchParams.set(name, params[name]); });
    } else {
      options.headers = { 'authorization': 'Bearer ' + key, 'content-type': 'application/json', 'idempotency-key': idempotencyKey };
      options.body = JSON.stringify(body);
    }
    return fetch(url.toString(), options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error((data && data.error && data.error.message) || ('HTTP ' + response.status));
        return data;
      });
    });
  }
  function earning(rules, currency) {
    var lines = [];
    if (rules.points_per_currency_unit > 0) lines.push(points(rules.points_per_currency_unit) + ' for every ' + unit(currency) + ' spent');
    if (rules.points_per_order > 0) lines.push(points(rules.points_per_order) + ' for every order');
    if (rules.signup_points > 0) lines.push(points(rules.signup_points) + ' for creating an account');
    if (rules.birthday_points > 0) lines.push(points(rules.birthday_points) + ' on your birthday');
    return lines;
  }
  function mount(root) {
    var customer = root.getAttribute('data-customer');
    var signature = root.getAttribute('data-signature');
    if (!customer || !signature) return;
    var codes = {};
    function render(data) {
      root.textContent = '';
      var box = el('div', 'hl-box');
      if (!data.enabled) {
        box.appendChild(el('p', 'hl-muted', 'The loyalty programme is not running at the moment.'));
        root.appendChild(box);
        return;
      }
      box.appendChild(el('p', 'hl-points', points(data.available)));
      box.appendChild(el('div', 'hl-muted', 'worth ' + money(data.value, data.currency) + (data.pending > 0 ? ' · ' + points(data.pending) + ' on the way' : '')));
      if (data.tier || data.next_tier) {
        box.appendChild(el('h4', null, data.tier ? data.tier + ' member' : 'Membership'));
        if (data.next_tier) {
          var missing = data.next_tier.basis === 'amount_spent' ? money(data.next_tier.missing, data.currency) + ' more to spend' : points(data.next_tier.missing);
          box.appendChild(el('div', 'hl-muted', missing + ' to ' + data.next_tier.name));
          var bar = el('div', 'hl-bar');
          var fill = el('i');
          var threshold = Math.max(1, data.next_tier.threshold);
          fill.style.width = Math.round(100 * Math.max(0, threshold - data.next_tier.missing) / threshold) + '%';
          bar.appendChild(fill);
          box.appendChild(bar);
        }
      }
      var ways = earning(data.earning, data.currency);
      if (ways.length) {
        box.appendChild(el('h4', null, 'How to earn'));
        var list = el('ul');
        ways.forEach(function (line) { list.appendChild(el('li', null, line)); });
        box.appendChild(list);
      }
      if (data.rewards.length) {
        box.appendChild(el('h4', null, 'Rewards'));
        data.rewards.forEach(function (reward) {
          var row = el('div', 'hl-reward');
          row.setAttribute('data-reward-id', reward.id);
          var label = el('span');
          label.appendChild(el('strong', null, reward.name));
          label.appendChild(el('span', 'hl-muted', ' · ' + points(reward.points)));
          row.appendChild(label);
          if (codes[reward.id]) {
            var got = el('span', null, 'Your code: ');
            got.appendChild(el('span', 'hl-code', codes[reward.id]));
            row.appendChild(got);
          }
          var button = el('button', null, 'Redeem');
          button.type = 'button';
          button.disabled = !reward.affordable;
          if (!reward.affordable) button.title = points(reward.points - Math.max(0, data.available)) + ' more needed';
          var attempt = null;
          button.addEventListener('click', function () {
            attempt = attempt || newKey();
            button.disabled = true;
            call('POST', '/v1/loyalty/redemptions', null, { customer: customer, signature: signature, reward_id: reward.id }, attempt).then(function (answer) {
              codes[reward.id] = answer.code;
              attempt = null;
              load();
            }).catch(function (e) {
              button.disabled = false;
              var error = row.querySelector('.hl-error') || row.appendChild(el('span', 'hl-error'));
              error.setAttribute('role', 'alert');
              error.textContent = e.message;
            });
          });
          row.appendChild(button);
          box.appendChild(row);
        });
      }
      if (data.history.length) {
        box.appendChild(el('h4', null, 'History'));
        var history = el('ul', 'hl-history');
        data.history.forEach(function (entry) {
          var item = el('li');
          item.appendChild(el('span', null, (entry.reason || kinds[entry.kind] || entry.kind) + ' · ' + new Date(entry.created_at).toLocaleDateString()));
          item.appendChild(el('span', null, (entry.points > 0 ? '+' : '') + entry.points.toLocaleString()));
          history.appendChild(item);
        });
        box.appendChild(history);
      }
      root.appendChild(box);
    }
    function load() {
      call('GET', '/v1/loyalty', { customer: customer, signature: signature }).then(render)
        .catch(function (e) { if (window.console) console.warn('Hearth loyalty: ' + (e && e.message)); root.textContent = ''; });
    }
    load();
  }
  function start() {
    var style = document.createElement('style');
    style.textContent = css;
    document.head.appendChild(style);
    Array.prototype.forEach.call(document.querySelectorAll('[data-hearth-loyalty]'), mount);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
