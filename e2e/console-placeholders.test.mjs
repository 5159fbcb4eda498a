// The console's placeholder filling (web/console/js/placeholders.js), a pure module: no
// browser, no server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repo } from './lib/harness.mjs';

const {
  PLACEHOLDERS, fillPlaceholders, unknownPlaceholders, unknownPlaceholderWarning, isMadeUpVisitorName,
} = await import(pathToFileURL(join(repo, 'web', 'console', 'js', 'placeholders.js')).href);

const all = {
  'visitor.name': 'Vera', 'agent.name': 'Alice', 'site.name': 'Shop', 'page.title': 'Pricing',
};

test('every known placeholder is filled, as often as it appears', () => {
  assert.deepEqual(PLACEHOLDERS, ['visitor.name', 'agent.name', 'site.name', 'page.title']);
  assert.equal(
    fillPlaceholders('Hi {visitor.name}, I am {agent.name} from {site.name}. About {page.title}, {visitor.name}?', all),
    'Hi Vera, I am Alice from Shop. About Pricing, Vera?',
  );
  assert.equal(fillPlaceholders('No placeholders.', all), 'No placeholders.');
  assert.equal(fillPlaceholders('', all), '');
  assert.equal(fillPlaceholders(null, all), '');
});

test('unknown placeholders stay as typed and are listed once each', () => {
  const body = 'Hi {visitor.name}, {foo} and {visitor.email} and {Visitor.Name} and {foo}; not { x } or {} or {1a}';
  assert.equal(
    fillPlaceholders(body, all),
    'Hi Vera, {foo} and {visitor.email} and {Visitor.Name} and {foo}; not { x } or {} or {1a}',
  );
  assert.deepEqual(unknownPlaceholders(body), ['{foo}', '{visitor.email}', '{Visitor.Name}']);
  assert.equal(unknownPlaceholderWarning('Hello {foo}'), 'Unknown placeholder: {foo}');
  assert.equal(unknownPlaceholderWarning('{a} {b.c}'), 'Unknown placeholders: {a}, {b.c}');
  assert.equal(unknownPlaceholderWarning('Hi {visitor.name}'), '');
  assert.deepEqual(unknownPlaceholders('{agent.name}{site.name}{page.title}'), []);
});

test('a known placeholder without a value becomes empty, with the space before it when that would dangle', () => {
  const none = { 'agent.name': 'Alice' };
  assert.equal(fillPlaceholders('Hi {visitor.name}, welcome!', none), 'Hi, welcome!');
  assert.equal(fillPlaceholders('Hi {visitor.name}!', none), 'Hi!');
  assert.equal(fillPlaceholders('Thanks {visitor.name} for waiting', none), 'Thanks for waiting');
  assert.equal(fillPlaceholders('Hello {visitor.name}', none), 'Hello');
  assert.equal(fillPlaceholders('Hello {visitor.name}\nNext line', none), 'Hello\nNext line');
  assert.equal(fillPlaceholders('Name:{visitor.name}.', none), 'Name:.');
  assert.equal(fillPlaceholders('{visitor.name}', { 'visitor.name': '   ' }), '');
  assert.equal(fillPlaceholders('I am {agent.name}', none), 'I am Alice');
});

test('values are inserted once, as text', () => {
  const tricky = { 'visitor.name': '{agent.name} <b>$&</b>', 'agent.name': 'Alice' };
  assert.equal(fillPlaceholders('Hi {visitor.name} from {agent.name}', tricky), 'Hi {agent.name} <b>$&</b> from Alice');
});

test('the made-up visitor label is not a name', () => {
  assert.equal(isMadeUpVisitorName('Visitor 1a2b3c', '1a2b3c4d-0000'), true);
  assert.equal(isMadeUpVisitorName('Visitor', ''), true);
  assert.equal(isMadeUpVisitorName('', 'x'), true);
  assert.equal(isMadeUpVisitorName('Vera', '1a2b3c4d'), false);
  assert.equal(isMadeUpVisitorName('Visitor 999999', '1a2b3c4d'), false);
});
