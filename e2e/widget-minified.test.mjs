// The widget as served is the minified build of web/widget (crates/server/build.rs): every
// script and stylesheet there is served, smaller than its source, and means the same. The
// other widget tests run the minified scripts through every visitor path; this one checks
// what they cannot see: each language table holds the same strings as its source, and each
// stylesheet has the same rules (as Chromium parses them: a minifier that dropped a space out
// of `calc(a - b)` or a descendant selector would show here).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Frontdesk, repo, browser } from './lib/harness.mjs';

const dir = join(repo, 'web', 'widget');
const sources = readdirSync(dir).filter((f) => /\.(js|css)$/.test(f));
let fd;
let chromium;
const served = new Map();

before(async () => {
  fd = await Frontdesk.start();
  for (const name of sources) {
    const res = await fetch(`${fd.base}/widget/${name}`);
    assert.equal(res.status, 200, name);
    served.set(name, await res.text());
  }
  chromium = await browser();
});
after(async () => {
  await chromium?.close();
  await fd?.stop();
});

const source = (name) => readFileSync(join(dir, name), 'utf8');
const gz = (text) => gzipSync(text, { level: 9 }).length;
const moduleOf = (code) => import('data:text/javascript;base64,' + Buffer.from(code).toString('base64'));

test('every widget script and stylesheet is served minified: smaller than its source', () => {
  assert.ok(sources.includes('widget.js') && sources.includes('panel.js'));
  for (const name of sources) {
    const min = served.get(name);
    assert.ok(min.length > 0, `${name} served empty`);
    assert.ok(gz(min) < gz(source(name)), `${name}: ${gz(min)} bytes gzipped, not under its source's ${gz(source(name))}`);
    assert.ok(!/^\s*\/[/*]/.test(min), `${name} still starts with a comment`);
  }
  // The loader stays a classic script (document.currentScript): no import/export statement.
  assert.doesNotMatch(served.get('widget.js'), /(^|[;}])\s*(import|export)\s*[{*a-z]/);
});

test('every language table serves the same strings as its source', async () => {
  const tables = sources.filter((f) => /^l10n-[a-z]+\.js$/.test(f));
  assert.ok(tables.length >= 12, 'the twelve languages');
  for (const name of tables) {
    const want = (await moduleOf(source(name))).default;
    const got = (await moduleOf(served.get(name))).default;
    assert.deepEqual(got, want, name);
  }
});

test('every stylesheet parses to the same rules as its source (Chromium)', async () => {
  const page = await chromium.newPage();
  try {
    for (const name of sources.filter((f) => f.endsWith('.css'))) {
      const rules = (text) => page.evaluate((css) => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        // A value with var() keeps its tokens as written: the space after a comma (never
        // significant) is the one difference a minifier may make there.
        return [...sheet.cssRules].map((r) => r.cssText.replace(/,\s+/g, ','));
      }, text);
      const want = await rules(source(name));
      assert.ok(want.length > 3, `${name} has rules`);
      assert.deepEqual(await rules(served.get(name)), want, name);
    }
  } finally {
    await page.close();
  }
});
