// The loader's list of the panel's modules (PANEL_MODULES in web/widget/widget.js) names every
// web/widget/panel*.js file, panel.js first, and nothing else. The loader imports them all at
// once so that opening the chat takes one round trip; a module missing from the list would
// still load (through its importer's `import`), only one round trip later, and nothing else
// would notice. And at most six of them: a browser opens at most six HTTP/1.1 connections per
// host, so a seventh module waits for a free one and opening the chat takes a second round trip
// (web/widget/README.md, "Opening the chat"). No browser, no server: it reads the files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from './lib/harness.mjs';

const dir = join(repo, 'web', 'widget');

function listed() {
  const m = /const PANEL_MODULES = '([^']*)';/.exec(readFileSync(join(dir, 'widget.js'), 'utf8'));
  assert.ok(m, 'widget.js has a PANEL_MODULES string');
  return m[1].split(' ');
}

test('the loader imports every panel module at once, panel.js first', () => {
  const names = listed();
  assert.equal(names[0], 'panel', 'panel.js is first: the loader calls its mount()');
  assert.equal(new Set(names).size, names.length, 'no module listed twice');
  const files = readdirSync(dir).filter((f) => /^panel.*\.js$/.test(f)).map((f) => f.slice(0, -3));
  assert.deepEqual([...names].sort(), files.sort());
  assert.ok(
    names.length <= 6,
    `${names.length} panel modules: over HTTP/1.1 a browser fetches at most 6 at once from one host, ` +
      'so opening the chat would take a second round trip; merge two modules instead',
  );
});

test('every relative import of a panel module is a listed module', () => {
  const names = new Set(listed());
  for (const name of names) {
    const src = readFileSync(join(dir, name + '.js'), 'utf8');
    for (const m of src.matchAll(/\bfrom\s+'\.\/([^']+)\.js'/g)) {
      assert.ok(names.has(m[1]), `${name}.js imports ${m[1]}.js, which PANEL_MODULES does not list`);
    }
  }
});
