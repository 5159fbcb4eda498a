// An automated WCAG 2.1 AA audit with axe-core (from the npm registry): injected into the page
// (a DevTools evaluation, which no page CSP refuses), run on a part of the page, violations
// returned as short lines a failing test prints.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The WCAG 2.0 and 2.1 A and AA rules. */
export const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Audits `selector` (default: the whole document) on a Playwright `page`; resolves with one
 * line per violated rule and element: "rule (impact): help — target". Shadow roots are
 * audited too (axe pierces open shadow roots).
 * `cssom: false`: axe does not load the page's stylesheets itself (only its orientation-lock
 * rule needs them). Loading them, it copies a shadow root's stylesheets into inline <style>
 * elements, which the console's CSP refuses: pages with a shadow root (the admin page's
 * Appearance preview) are audited without, so the audit is not what breaks the CSP.
 */
export async function audit(page, selector = null, { cssom = true } = {}) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  // Colours are judged as they settle: finite animations (a pop-up fading in) end first.
  await page.evaluate(() => Promise.all(document.getAnimations()
    .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime))
    .map((a) => a.finished.catch(() => {}))));
  const violations = await page.evaluate(async ([sel, preload]) => {
    const context = sel ? { include: [[sel]] } : document;
    const r = await window.axe.run(context, { preload, runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    const out = [];
    for (const v of r.violations) {
      for (const n of v.nodes) out.push(`${v.id} (${v.impact}): ${v.help} — ${JSON.stringify(n.target)} ${n.failureSummary.replace(/\s+/g, ' ')}`);
    }
    return out;
  }, [selector, cssom]);
  return violations;
}
