import { WIDGET_PRELUDE } from '../../lib/widget-kit.js';
/**
 * The storefront's survey widget (`GET /v1/surveys/widget.js`), plain JavaScript for the shop's
 * theme, on a page of the signed-in customer, such as the order confirmation (docs/listen.md):
 *
 *   <script src="https://hearth.example/v1/surveys/widget.js" data-key="<write key>" async></script>
 *   <div data-hearth-survey data-kind="nps" data-survey-key="order-1001"
 *        data-customer="<external id>" data-signature="<made by the shop's server>"></div>
 *
 * It asks the question with the scale as buttons (0–10 or 1–5), records the answer at once, then
 * asks the follow-up question and thanks the customer, with the loyalty points the answer earns.
 * A customer who already answered sees the thank-you. It draws in a shadow root, so the shop's CSS
 * neither breaks it nor is broken by it, and writes every text with textContent.
 */
export const SURVEY_WIDGET_SOURCE = String.raw`(function () {
${WIDGET_PRELUDE}  var css = ':host{display:block}.hs-box{font:inherit;color:inherit;max-width:560px;box-sizing:border-box;padding:16px;border:1px solid #ddd;border-radius:8px;background:#fff}' +
    '.hs-box h3{font-size:1.1em;margin:0 0 12px;line-height:1.3}.hs-scale{display:grid;gap:4px;margin:0}' +
    '.hs-scale button{min-width:0;min-height:40px;padding:0;font:inherit;font-weight:600;border:1px solid #8a8a8a;border-radius:6px;background:#fff;color:#222;cursor:pointer}' +
    '.hs-scale button:hover,.hs-scale button:focus-visible{background:#2f5d50;color:#fff;border-color:#2f5d50;outline:2px solid #2f5d50;outline-offset:1px}' +
    '.hs-scale button[aria-pressed=true]{background:#2f5d50;color:#fff}.hs-ends{display:flex;justify-content:space-between;gap:8px;color:#666;font-size:.85em;margin:6px 0 0}' +
    '.hs-box label{display:block;margin:12px 0 6px;font-weight:600}.hs-box textarea{display:block;width:100%;box-sizing:border-box;min-height:88px;font:inherit;padding:8px;border:1px solid #8a8a8a;border-radius:6px}' +
    '.hs-actions{display:flex;gap:8px;margin-top:8px}.hs-actions button{padding:10px 16px;font:inherit;border-radius:6px;cursor:pointer;border:1px solid #2f5d50}' +
    '.hs-send{background:#2f5d50;color:#fff}.hs-skip{background:#fff;color:#2f5d50}.hs-points{font-weight:600;color:#2f5d50}.hs-error{color:#a3231f;margin:8px 0 0}.hs-muted{color:#666}';

  function call(method, path, params, body) {
    var url = new URL(base + path);
    var options = { method: method, credentials: 'omit', headers: {} };
    if (method === 'GET') {
      url.searchParams.set('key', key);
      Object.keys(params).forEach(function (name) { url.searchParams.set(name, params[name]); });
    } else {
      options.headers = { 'authorization': 'Bearer ' + key, 'content-type': 'application/json' };
      options.body = JSON.stringify(body);
    }
    return fetch(url.toString(), options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error((data && data.error && data.error.message) || ('HTTP ' + response.status));
        return data;
      });
    });
  }
  var count = 0;
  function mount(host) {
    var customer = host.getAttribute('data-customer');
    var signature = host.getAttribute('data-signature');
    var kind = host.getAttribute('data-kind') === 'csat' ? 'csat' : 'nps';
    var surveyKey = host.getAttribute('data-survey-key');
    if (!customer || !signature || !surveyKey || host.shadowRoot) return;
    var own = host.getAttribute('data-question');
    var root = host.attachShadow({ mode: 'open' });
    var id = 'hs' + (count += 1);
    var signed = { customer: customer, signature: signature, kind: kind, survey_key: surveyKey };
    function frame() {
      root.textContent = '';
      var style = el('style', null, css);
      root.appendChild(style);
      var box = el('section', 'hs-box');
      box.setAttribute('aria-live', 'polite');
      root.appendChild(box);
      return box;
    }
    function failed(box, e) {
      var error = box.querySelector('.hs-error') || box.appendChild(el('p', 'hs-error'));
      error.setAttribute('role', 'alert');
      error.textContent = e.message;
    }
    function send(body) {
      var payload = { customer: signed.customer, signature: signed.signature, kind: signed.kind, survey_key: signed.survey_key };
      Object.keys(body).forEach(function (name) { payload[name] = body[name]; });
      return call('POST', '/v1/surveys/answers', null, payload);
    }
    function thanks(state) {
      var box = frame();
      box.appendChild(el('h3', null, 'Thank you!'));
      box.appendChild(el('p', 'hs-muted', 'Your answer (' + state.score + ') is saved.'));
      if (state.points_message) box.appendChild(el('p', 'hs-points', state.points_message));
    }
    function followUp(state) {
      var box = frame();
      box.appendChild(el('h3', null, 'Thank you!'));
      if (state.points_message) box.appendChild(el('p', 'hs-points', state.points_message));
      var label = el('label', null, state.follow_up_question);
      label.htmlFor = id + '-text';
      box.appendChild(label);
      var text = el('textarea');
      text.id = id + '-text';
      text.maxLength = 4000;
      box.appendChild(text);
      var actions = el('div', 'hs-actions');
      var sendButton = el('button', 'hs-send', 'Send');
      sendButton.type = 'button';
      var skip = el('button', 'hs-skip', 'No, thanks');
      skip.type = 'button';
      sendButton.addEventListener('click', function () {
        if (!text.value.trim()) { thanks(state); return; }
        sendButton.disabled = true;
        send({ score: state.score, follow_up: text.value }).then(thanks).catch(function (e) { sendButton.disabled = false; failed(box, e); });
      });
      skip.addEventListener('click', function () { thanks(state); });
      actions.appendChild(sendButton);
      actions.appendChild(skip);
      box.appendChild(actions);
      text.focus();
    }
    function ask(state) {
      var box = frame();
      var heading = el('h3', null, own || state.question);
      heading.id = id + '-question';
      box.appendChild(heading);
      var scale = el('div', 'hs-scale');
      scale.setAttribute('role', 'group');
      scale.setAttribute('aria-labelledby', id + '-question');
      scale.style.gridTemplateColumns = 'repeat(' + (state.to - state.from + 1) + ', minmax(0, 1fr))';
      for (var n = state.from; n <= state.to; n += 1) {
        (function (score) {
          var button = el('button', null, score);
          button.type = 'button';
          button.setAttribute('aria-pressed', 'false');
          button.setAttribute('aria-label', score + ' out of ' + state.to + (score === state.from ? ', ' + state.ends[0] : score === state.to ? ', ' + state.ends[1] : ''));
          button.addEventListener('click', function () {
            Array.prototype.forEach.call(scale.querySelectorAll('button'), function (b) { b.disabled = true; });
            button.setAttribute('aria-pressed', 'true');
            send({ score: score }).then(followUp).catch(function (e) {
              Array.prototype.forEach.call(scale.querySelectorAll('button'), function (b) { b.disabled = false; });
              button.setAttribute('aria-pressed', 'false');
              failed(box, e);
            });
          });
          scale.appendChild(button);
        })(n);
      }
      box.appendChild(scale);
      var ends = el('div', 'hs-ends');
      ends.setAttribute('aria-hidden', 'true');
      ends.appendChild(el('span', null, state.ends[0]));
      ends.appendChild(el('span', null, state.ends[1]));
      box.appendChild(ends);
    }
    call('GET', '/v1/surveys/state', signed).then(function (state) {
      if (!state.known) return;
      if (state.answered) thanks(state);
      else ask(state);
    }).catch(function (e) { if (window.console) console.warn('Hearth survey: ' + (e && e.message)); });
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-hearth-survey]'), mount);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
