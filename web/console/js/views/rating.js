// The visitor's rating of a chat ("How was this chat?"), as agents see it: a small badge with a
// text label ("Rating: Good", "Rating: Bad ★2"). A rating is a score 1–5 whatever the site's
// scale ("Good" is 5, "Bad" is 1); good means 4 or more. A score only the stars scale gives
// (2–4) also shows its stars. The comment, when asked for, is text (the visitor typed it).

import { h } from '../dom.js';

/** "Good", "Bad", "Good ★4", "Bad ★2": what the badge says for `score`. */
export function ratingText(score) {
  const s = Number(score);
  const word = s >= 4 ? 'Good' : 'Bad';
  return s === 1 || s === 5 ? word : `${word} ★${s}`;
}

/** The badge for `rating` ({score, comment, rated_at}), or null when there is none. With
 * `withComment`, the comment follows it as text. */
export function ratingBadge(rating, { withComment = false } = {}) {
  if (!rating || !Number.isInteger(Number(rating.score))) return null;
  const good = Number(rating.score) >= 4;
  const badge = h('span', { class: `badge rating-badge ${good ? 'is-good' : 'is-bad'}`, title: `Rated ${rating.score} of 5` },
    h('span', { class: 'sr-only' }, 'Rating: '), ratingText(rating.score));
  if (!withComment || !rating.comment) return badge;
  return h('span', { class: 'rating' }, badge, h('span', { class: 'rating-comment' }, ` “${rating.comment}”`));
}
