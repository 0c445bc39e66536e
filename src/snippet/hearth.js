/*!
 * Hearth tracking snippet. Paste into the store's theme:
 *   <script async src="https://HEARTH_HOST/hearth.js" data-write-key="hk_write_..."></script>
 * Options (data-* attributes or window.hearthConfig before the script):
 *   data-write-key     the store's public write key (required)
 *   data-respect-dnt   "true": send nothing when the browser asks not to be tracked
 *   data-auto-page     "false": do not record a page view on load
 * API: hearth.page([name], [properties]), hearth.track(event, [properties]),
 *      hearth.identify(userId, [traits]), hearth.reset(), hearth.flush().
 * Calls made before the script loads can be queued: window.hearth = [['track', ['Signed Up']]].
 */
/* global location, URLSearchParams */
(function (window, document) {
  'use strict';
  var VERSION = '1.0.0';
  var stub = window.hearth;
  if (stub && stub.loaded) return;

  var script = document.currentScript || document.querySelector('script[src*="hearth.js"]');
  var config = window.hearthConfig || {};
  function option(name, attribute) {
    if (config[name] !== undefined) return String(config[name]);
    return script ? script.getAttribute('data-' + attribute) : null;
  }
  var writeKey = option('writeKey', 'write-key');
  var host = (option('host', 'host') || (script && script.src ? new URL(script.src, location.href).origin : location.origin)).replace(/\/$/, '');
  var navigatorDnt = navigator.doNotTrack === '1' || window.doNotTrack === '1' || navigator.globalPrivacyControl === true;
  var disabled = !writeKey || (option('respectDoNotTrack', 'respect-dnt') === 'true' && navigatorDnt);

  var BATCH_SIZE = 20;
  var FLUSH_MS = 1000;
  var MAX_QUEUE = 500;
  var MAX_KEEPALIVE_BYTES = 60000;
  var SESSION_MS = 30 * 60 * 1000;

  function storage(get, key, value) {
    try {
      if (get) return window.localStorage.getItem(key);
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch { /* storage blocked: keep going in memory */ }
    return null;
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === 'x' ? r : (r & 3 | 8)).toString(16);
    });
  }

  function cookie(name, value) {
    if (value === undefined) {
      var match = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
      return match ? decodeURIComponent(match[1]) : null;
    }
    document.cookie = name + '=' + encodeURIComponent(value) + '; Max-Age=' + (value ? 31536000 : 0) +
      '; Path=/; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
    return value;
  }

  function anonymousId() {
    if (disabled) return null;
    return cookie('hearth_aid') || cookie('hearth_aid', uuid());
  }

  function sessionId() {
    var now = Date.now();
    var saved = (storage(true, 'hearth_session') || '').split(':');
    var id = saved[0] && now - Number(saved[1]) < SESSION_MS ? saved[0] : uuid();
    storage(false, 'hearth_session', id + ':' + now);
    return id;
  }

  function campaign() {
    var result = {};
    var params = new URLSearchParams(location.search);
    ['source', 'medium', 'campaign', 'term', 'content'].forEach(function (part) {
      var value = params.get('utm_' + part);
      if (value) result[part === 'campaign' ? 'name' : part] = value;
    });
    return result;
  }

  function page() {
    return { url: location.href, path: location.pathname, search: location.search, title: document.title, referrer: document.referrer };
  }

  var queue = [];
  try { queue = JSON.parse(storage(true, 'hearth_queue') || '[]') || []; } catch { queue = []; }
  var timer = null;
  var sending = false;
  var backoff = 0;

  function save() {
    storage(false, 'hearth_queue', queue.length ? JSON.stringify(queue) : null);
  }

  function schedule(ms) {
    if (timer || sending || !queue.length) return;
    timer = setTimeout(function () { timer = null; flush(); }, ms);
  }

  function payload(batch) {
    return JSON.stringify({ writeKey: writeKey, sentAt: new Date().toISOString(), batch: batch });
  }

  function forget(batch) {
    var sent = {};
    batch.forEach(function (message) { sent[message.messageId] = true; });
    queue = queue.filter(function (message) { return !sent[message.messageId]; });
    save();
  }

  function flush() {
    if (disabled || sending || !queue.length) return;
    var batch = queue.slice(0, BATCH_SIZE);
    var body = payload(batch);
    sending = true;
    function done(delivered, retryAfterMs) {
      sending = false;
      if (delivered) {
        backoff = 0;
        forget(batch);
        schedule(0);
      } else {
        // Exponential backoff; the server's Retry-After wins when longer.
        backoff = Math.min(backoff ? backoff * 2 : 1000, 60000);
        schedule(Math.max(backoff, retryAfterMs || 0));
      }
    }
    if (!window.fetch) return done(beacon(body));
    // text/plain keeps the request "simple": no CORS preflight.
    window.fetch(host + '/v1/batch', {
      method: 'POST', body: body, credentials: 'omit', mode: 'cors',
      headers: { 'Content-Type': 'text/plain' }, keepalive: body.length < MAX_KEEPALIVE_BYTES,
    }).then(function (response) {
      // A 4xx other than 429 will not get better by retrying (the answer names the reason).
      var final = response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429);
      done(final, Number(response.headers.get('Retry-After') || 0) * 1000);
    }, function () { done(false); });
  }

  function beacon(body) {
    return !!(navigator.sendBeacon && navigator.sendBeacon(host + '/v1/batch', body));
  }

  /** On leaving the page everything pending goes with sendBeacon; the server drops repeats by messageId. */
  function flushOnExit() {
    if (disabled) return;
    while (queue.length) {
      var batch = queue.slice(0, BATCH_SIZE);
      if (!beacon(payload(batch))) break;
      forget(batch);
    }
  }

  function send(message) {
    if (disabled) return;
    var userId = storage(true, 'hearth_uid');
    message.messageId = 'hjs-' + uuid();
    message.anonymousId = anonymousId();
    if (userId && !message.userId) message.userId = userId;
    message.originalTimestamp = new Date().toISOString();
    message.context = {
      library: { name: 'hearth.js', version: VERSION }, page: page(), userAgent: navigator.userAgent,
      locale: navigator.language, sessionId: sessionId(), campaign: campaign(),
    };
    queue.push(message);
    if (queue.length > MAX_QUEUE) queue.splice(0, queue.length - MAX_QUEUE);
    save();
    schedule(queue.length >= BATCH_SIZE ? 0 : FLUSH_MS);
  }

  var hearth = {
    loaded: true,
    version: VERSION,
    page: function (name, properties) {
      if (typeof name === 'object' && name !== null) { properties = name; name = undefined; }
      var props = page();
      for (var key in properties || {}) props[key] = properties[key];
      send({ type: 'page', name: name || document.title, properties: props });
    },
    track: function (event, properties) {
      send({ type: 'track', event: String(event), properties: properties || {} });
    },
    identify: function (userId, traits) {
      if (typeof userId === 'object' && userId !== null) { traits = userId; userId = undefined; }
      if (userId !== undefined && userId !== null) storage(false, 'hearth_uid', String(userId));
      send({ type: 'identify', userId: userId === undefined || userId === null ? undefined : String(userId), traits: traits || {} });
    },
    reset: function () {
      storage(false, 'hearth_uid', null);
      cookie('hearth_aid', uuid());
    },
    flush: flush,
    anonymousId: anonymousId,
  };
  window.hearth = hearth;

  window.addEventListener('pagehide', flushOnExit);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') flushOnExit();
  });

  if (Array.isArray(stub)) {
    stub.forEach(function (call) {
      if (call && typeof hearth[call[0]] === 'function') hearth[call[0]].apply(hearth, call[1] || []);
    });
  }
  if (option('autoPage', 'auto-page') !== 'false') hearth.page();
  schedule(0);
})(window, document);
