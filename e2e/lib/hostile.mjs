// A hostile host page for the widget e2e tests (Chromium and Firefox): a strict
// Content-Security-Policy, the page's own hostile CSS and JS loaded from files, and one inline
// script the policy must refuse (so a test can tell the policy is enforced: one violation).

/**
 * The strict policy of a page embedding the widget of `fd`: scripts and styles only from the
 * page and the server, sockets only to the server, no inline code, Trusted Types required.
 */
export function strictCsp(fd) {
  return [
    "default-src 'none'",
    `script-src 'self' ${fd.base}`,
    `style-src 'self' ${fd.base}`,
    `connect-src ws://${fd.host}`,
    "img-src 'self'",
    "base-uri 'none'",
    "require-trusted-types-for 'script'",
  ].join('; ');
}

/**
 * The pages of a hostile shop, as `shop(fd, build)` takes them: `/` ("Hostile home") and `/two`
 * ("Hostile two") linking each other under `strictCsp(fd)`, each loading `/hostile.css` (`css`)
 * and `/hostile.js` (`js`) before the snippet.
 */
export function hostilePages(fd, { css, js }) {
  const csp = strictCsp(fd);
  const page = (title, snippet, link) => ({
    headers: { 'content-security-policy': csp },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
      '<link rel="stylesheet" href="/hostile.css"><script src="/hostile.js"></script></head>' +
      `<body><h1>${title}</h1><p><a href="${link}">next</a></p>${snippet}` +
      // Proof that the policy is enforced: this inline script is refused (one violation).
      '<script>window.__inline = 1</script></body></html>',
  });
  return (snippet) => ({
    '/': page('Hostile home', snippet, '/two'),
    '/two': page('Hostile two', snippet, '/'),
    '/hostile.css': { headers: { 'content-type': 'text/css' }, body: css },
    '/hostile.js': { headers: { 'content-type': 'text/javascript' }, body: js },
  });
}
