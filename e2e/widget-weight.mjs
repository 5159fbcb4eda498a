// Main-thread time the widget costs a page load, in Debian's headless Chromium. Not a test: a
// measurement. Starts the release `frontdesk` (like the e2e tests), serves the same customer
// page with and without the snippet, loads each RUNS times (interleaved, a fresh browser
// context each time: a first visit, cold HTTP cache; then the same page again: a next page
// with the widget cached) and prints JSON with the medians.
//
// Main-thread time comes from the Chrome DevTools Protocol (`Performance.getMetrics`:
// TaskDuration, ScriptDuration, LayoutDuration, RecalcStyleDuration, in thread time: CPU time
// of the renderer's main thread, which other load on the machine does not inflate much), read
// just before the navigation and once the page is loaded, the widget has its `welcome` and its
// stylesheet, and the page is idle. The widget's cost is median(with) - median(without). Layout shift is the
// page's cumulative layout shift (PerformanceObserver 'layout-shift').
//
//   cargo build --release -p frontdesk && node e2e/widget-weight.mjs [RUNS] [--wall]
//
// --wall: wall-clock task durations instead of thread time (what a busy machine inflates).

import { Frontdesk, customerSite, browser } from './lib/harness.mjs';

const args = process.argv.slice(2);
const WALL = args.includes('--wall');
const RUNS = Number(args.find((a) => /^\d+$/.test(a)) || 10);
const METRICS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];

const article = Array.from({ length: 30 }, (_, i) =>
  `<h2>Section ${i + 1}</h2><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. Integer nec odio. ` +
  'Praesent libero. Sed cursus ante dapibus diam. Sed nisi. Nulla quis sem at nibh elementum imperdiet.</p>').join('');
const page = (snippet) => '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>' +
  '<meta name="viewport" content="width=device-width"><style>body{font:16px/1.5 sans-serif;max-width:40em;margin:2em auto}</style></head>' +
  `<body><h1>Acme Outfitters</h1>${article}${snippet}</body></html>`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const out = {};
  for (const m of list) if (METRICS.includes(m.name)) out[m.name] = m.value * 1000; // ms
  return out;
}

/** Loads `url` in `p` (already on a same-origin blank page); returns main-thread ms spent. */
async function measure(p, cdp, url, withWidget) {
  const before = await metrics(cdp);
  const ready = [];
  if (withWidget) {
    ready.push(new Promise((resolve) => {
      const onWs = (ws) => ws.on('framereceived', (f) => {
        if (String(f.payload).includes('"type":"welcome"')) { p.off('websocket', onWs); resolve(); }
      });
      p.on('websocket', onWs);
    }));
    ready.push(p.waitForEvent('requestfinished', (r) => r.url().endsWith('/widget/widget.css')));
  }
  await p.goto(url, { waitUntil: 'load' });
  await Promise.all(ready);
  // Let the page settle: two idle periods.
  for (let i = 0; i < 2; i++) await p.evaluate(() => new Promise((r) => requestIdleCallback(() => r(), { timeout: 2000 })));
  const after = await metrics(cdp);
  const cls = await p.evaluate(() => window.__cls);
  const out = { cls };
  for (const k of METRICS) out[k] = after[k] >= before[k] ? after[k] - before[k] : after[k];
  return out;
}

const fd = await Frontdesk.start();
const pages = { '/blank': '<!doctype html><title>blank</title>' };
const site = await customerSite(pages);
const s = fd.site({ name: 'Weight', url: site.origin });
pages['/without'] = page('');
pages['/with'] = page(fd.snippet(s));
fd.agent({ email: 'w@weight.example', name: 'Wendy' });
const agent = await fd.agentSocket('w@weight.example'); // On-Line: the launcher reads "Chat with us"
const chromium = await browser();

const samples = { cold: { without: [], with: [] }, warm: { without: [], with: [] } };
try {
  for (let i = 0; i < RUNS; i++) {
    for (const variant of i % 2 ? ['with', 'without'] : ['without', 'with']) {
      const ctx = await chromium.newContext();
      await ctx.addInitScript(() => {
        window.__cls = 0;
        try {
          new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })
            .observe({ type: 'layout-shift', buffered: true });
        } catch (e) { /* unsupported */ }
      });
      const p = await ctx.newPage();
      const cdp = await ctx.newCDPSession(p);
      // Thread time: CPU time of the page's main thread, not disturbed by other processes.
      await cdp.send('Performance.enable', { timeDomain: WALL ? 'timeTicks' : 'threadTicks' });
      for (const visit of ['cold', 'warm']) {
        await p.goto(`${site.origin}/blank`);
        samples[visit][variant].push(await measure(p, cdp, `${site.origin}/${variant}`, variant === 'with'));
      }
      await ctx.close();
    }
  }
} finally {
  await chromium.close();
  agent.close();
  await site.close();
  await fd.stop();
}

const summary = {};
for (const visit of ['cold', 'warm']) {
  const v = {};
  for (const variant of ['without', 'with']) {
    v[variant] = {};
    for (const k of METRICS) v[variant][k] = round(median(samples[visit][variant].map((x) => x[k])));
  }
  v.widget_cost_ms = {};
  for (const k of METRICS) v.widget_cost_ms[k] = round(v.with[k] - v.without[k]);
  v.max_cls_with_widget = round(Math.max(...samples[visit].with.map((x) => x.cls)), 4);
  v.max_cls_without_widget = round(Math.max(...samples[visit].without.map((x) => x.cls)), 4);
  summary[visit] = v;
}
console.log(JSON.stringify({
  chromium: chromium.version(),
  runs: RUNS,
  time_domain: WALL ? 'timeTicks (wall clock)' : 'threadTicks (main-thread CPU time)',
  note: 'median main-thread ms per page load (CDP Performance.getMetrics); widget_cost_ms = with - without. ' +
    'cold: first page of a visit in a fresh context; warm: the same page again (widget files cached).',
  ...summary,
}, null, 2));
