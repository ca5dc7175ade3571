/*! Signpost loader. The only file a host page includes. It draws the
 * launcher in a shadow root and loads the wasm app only on intent (hover,
 * focus or click on the launcher, or an API call that needs the panel).
 * Its one global is window.Signpost. Budget: 3 KB gzip. */
(function (w, d) {
  'use strict';
  // What the loader needs from `document` is read through Document's own
  // getters: a page element named "currentScript" or "body" (DOM
  // clobbering) would otherwise stand in for them.
  var D = Document.prototype;
  function real(name) { return Object.getOwnPropertyDescriptor(D, name).get.call(d); }
  var me = real('currentScript');
  if (!me || me.tagName !== 'SCRIPT' || !me.src) {
    console.error('[signpost] embed.js cannot find its own <script> tag, so it does not start; include it with a plain <script src="…/embed.js">');
    return;
  }
  // An element with the id "Signpost" also shows up as window.Signpost;
  // only a function is ours (a stub or the loader).
  var existing = typeof w.Signpost === 'function' ? w.Signpost : null;
  if (existing && existing.loader) return; // included twice

  var base = me.src.slice(0, me.src.lastIndexOf('/') + 1);
  var data = me.dataset;
  var opts = {
    content: data.content || null,
    endpoint: data.endpoint || '/api/tickets',
    locale: data.locale || null,
    position: data.position === 'left' ? 'left' : 'right',
    theme: data.theme || 'auto',
    contact: data.contact || 'after-attempt',
    launcher: data.launcher !== 'false',
    title: data.title || 'Help',
    allowKeys: data.allowKeys || null,
    tokenPrefixes: data.tokenPrefixes || null
  };
  // Anonymous usage events go beside the tickets (…/tickets → …/events),
  // or to data-events; an endpoint of another shape sends none.
  var events = opts.endpoint.replace(/\/tickets$/, '/events');
  opts.events = data.analytics === 'off' ? null
    : data.events || (events !== opts.endpoint ? events : null);
  // Calls that need the panel load the app; the rest wait in the queue.
  var ACTIVE = { open: 1, toggle: 1, search: 1, startFlow: 1, showArticle: 1, prefetch: 1 };
  var earlier = existing && existing.q;
  var queue = [];
  var listeners = {};
  var app = null;
  var loading = null;

  var host = d.createElement('signpost-widget');
  host.setAttribute('data-position', opts.position);
  host.setAttribute('data-theme', opts.theme);
  if (data.accent) host.style.setProperty('--signpost-accent', data.accent);
  var root = host.attachShadow({ mode: 'open' });
  var launcher = null;

  // Constructable stylesheets pass strict CSP (no 'unsafe-inline' needed);
  // a <style> element is the fallback for older browsers.
  function addSheet(text) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      root.adoptedStyleSheets = root.adoptedStyleSheets.concat(sheet);
    } catch (e) {
      var style = d.createElement('style');
      style.textContent = text;
      root.appendChild(style);
    }
  }
  function svg(tag, attrs, parent) {
    var node = d.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    return parent.appendChild(node);
  }

  if (opts.launcher) {
    addSheet(
      ':host{all:initial}' +
      '.sp-launcher{position:fixed;bottom:20px;' + opts.position + ':20px;z-index:2147483000;' +
      'width:56px;height:56px;border:0;border-radius:50%;cursor:pointer;padding:0;' +
      'background:var(--signpost-accent,#2f5bd3);color:var(--signpost-accent-text,#fff);' +
      'box-shadow:0 6px 20px rgba(15,23,42,.28);display:grid;place-items:center}' +
      '.sp-launcher:focus-visible{outline:3px solid var(--signpost-accent,#2f5bd3);outline-offset:3px}' +
      '.sp-launcher[data-state=error]{opacity:.6}' +
      '@media (max-width:479px){.sp-launcher[aria-expanded=true]{display:none}}');
    launcher = d.createElement('button');
    launcher.type = 'button';
    launcher.className = 'sp-launcher';
    launcher.setAttribute('part', 'launcher');
    launcher.setAttribute('data-testid', 'launcher');
    // The panel speaks German for data-locale="de" or a German browser;
    // the launcher says so too before the app has loaded.
    var de = /^de\b/i.test(opts.locale || (navigator.language || ''));
    launcher.setAttribute('aria-label', data.label || (de ? 'Hilfe öffnen' : 'Open help'));
    launcher.setAttribute('aria-haspopup', 'dialog');
    launcher.setAttribute('aria-expanded', 'false');
    var icon = svg('svg', { width: 26, height: 26, viewBox: '0 0 24 24', 'aria-hidden': 'true', fill: 'none',
      stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round' }, launcher);
    svg('circle', { cx: 12, cy: 12, r: 9.5 }, icon);
    svg('path', { d: 'M9.3 9.2a2.8 2.8 0 0 1 5.4 1c0 1.9-2.7 2.4-2.7 4' }, icon);
    svg('circle', { cx: 12, cy: 17.3, r: 0.6, fill: 'currentColor' }, icon);
    launcher.addEventListener('pointerenter', boot);
    // A touch has no hover: the press starts the load before the click.
    launcher.addEventListener('pointerdown', boot);
    launcher.addEventListener('focus', boot);
    launcher.addEventListener('click', function () { api('toggle'); });
    root.appendChild(launcher);
  }

  function emit(name, detail) {
    if (launcher && (name === 'open' || name === 'close')) {
      launcher.setAttribute('aria-expanded', String(name === 'open'));
      // Focus returns to the launcher when the panel it opened closes.
      if (name === 'close' && root.activeElement) launcher.focus();
    }
    (listeners[name] || []).slice().forEach(function (fn) {
      try { fn(detail); } catch (e) { console.error('[signpost] listener for "' + name + '" threw', e); }
    });
  }

  function fail(error) {
    if (launcher) {
      launcher.setAttribute('data-state', 'error');
      // Not "check your connection": a page's policy or a bad deploy fails
      // the same way, and the console says which.
      launcher.title = 'Help could not load. Please try again later.';
    }
    console.error('[signpost] could not load the widget from ' + base, error);
    emit('error', { message: String(error && error.message || error) });
  }

  function run(args) {
    try {
      app.call(args[0], args.slice(1));
    } catch (e) {
      console.warn('[signpost]', e);
    }
  }

  function boot() {
    if (!loading) {
      // The content downloads while the wasm does, so search is ready when
      // the panel is; the app reads it, or its saved copy when this fails.
      var content = opts.content && w.fetch ? fetch(opts.content, { cache: 'no-cache' })
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.text(); }) : null;
      if (content) content.catch(function () {});
      // The app reads a flow left in progress (sessionStorage) as soon as
      // the content is in. The browser's first access to a tab's session
      // storage costs several ms; paying it here, while the wasm downloads,
      // keeps it off the path to a searchable panel (docs/budgets.md).
      try { w.sessionStorage.getItem('signpost:flow:v1'); } catch (e) { /* blocked: the app copes */ }
      // The wasm downloads and compiles while the glue does, not after it.
      var wasm = base + 'signpost_bg.wasm';
      if (WebAssembly.compileStreaming) {
        wasm = WebAssembly.compileStreaming(fetch(wasm)).catch(function () { return base + 'signpost_bg.wasm'; });
      }
      loading = import(base + 'signpost.js')
        .then(function (m) {
          return m.default({ module_or_path: wasm }).then(function () {
            app = m.mount(root, JSON.stringify(opts), emit, addSheet, content);
            if (launcher) launcher.removeAttribute('data-state');
            queue.splice(0).forEach(run);
          });
        })
        .catch(function (e) {
          loading = null; // the next intent tries again, e.g. once back online
          fail(e);
        });
    }
    return loading;
  }

  function api(method) {
    var args = [].slice.call(arguments);
    if (method === 'on' || method === 'off') {
      var list = listeners[args[1]] = listeners[args[1]] || [];
      if (method === 'on' && typeof args[2] === 'function') list.push(args[2]);
      else if (method === 'off') listeners[args[1]] = list.filter(function (f) { return f !== args[2]; });
      return;
    }
    if (method === 'destroy') {
      if (app) app.destroy();
      w.removeEventListener('online', bootIfQueued);
      host.remove();
      delete w.Signpost;
      return;
    }
    if (app) return run(args);
    queue.push(args);
    if (ACTIVE[method]) boot();
  }
  api.loader = 1;
  w.Signpost = api;

  // Calls made through a stub defined before this script loaded.
  if (earlier && earlier.length) [].slice.call(earlier).forEach(function (a) { api.apply(null, a); });

  // A ticket queued on an earlier page view (offline, relay down) is sent
  // without waiting for the user: boot the app when the browser is idle, and
  // again when it comes back online if that first boot could not load.
  function bootIfQueued() {
    try {
      if (!app && /"queued":\{/.test(w.localStorage.getItem('signpost:outbox:v1') || '')) {
        // A load still under way may be one that is about to fail (started
        // offline): once it settles, try again if it did not mount.
        if (loading) loading.then(function () { if (!app) bootIfQueued(); });
        // Idle, but not never: a busy page still gets its ticket sent.
        else if (w.requestIdleCallback) w.requestIdleCallback(boot, { timeout: 3000 });
        else setTimeout(boot, 1);
      }
    } catch (e) { /* storage blocked: nothing can be queued either */ }
  }
  bootIfQueued();
  w.addEventListener('online', bootIfQueued);

  function attach() { real('body').appendChild(host); }
  if (real('body')) attach(); else d.addEventListener('DOMContentLoaded', attach);
})(window, document);
