#!/usr/bin/env bash
# Weight of the visitor widget: raw and gzip -9 sizes of what a customer page downloads.
# Fails when a file is over its budget (widget.js: 4 KB gzipped, on every page; panel.js:
# 25 KB gzipped, loaded only when the chat opens). Usage: bench/widget-weight.sh [--json]
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../web/widget" && pwd)"
declare -A budget=([widget.js]=4096 [panel.js]=25600)
json=0
[[ "${1:-}" == "--json" ]] && json=1

fail=0
rows=()
[[ $json == 0 ]] && printf '%-12s %10s %12s %14s\n' file raw 'gzip -9' 'budget (gz)'
for f in widget.js panel.js widget.css; do
  raw=$(wc -c < "$dir/$f")
  gz=$(gzip -9 -c "$dir/$f" | wc -c)
  b=${budget[$f]:-}
  status=ok
  if [[ -n "$b" && $gz -gt $b ]]; then status=OVER; fail=1; fi
  if [[ $json == 1 ]]; then
    rows+=("\"$f\": {\"raw\": $raw, \"gzip\": $gz, \"budget_gzip\": ${b:-null}}")
  else
    printf '%-12s %10d %12d %14s %s\n' "$f" "$raw" "$gz" "${b:--}" "$([[ -n "$b" ]] && echo "$status")"
  fi
done
first_load=$(cat "$dir/widget.js" | gzip -9 -c | wc -c)
css=$(gzip -9 -c "$dir/widget.css" | wc -c)
panel=$(gzip -9 -c "$dir/panel.js" | wc -c)
if [[ $json == 1 ]]; then
  (IFS=,; echo "{${rows[*]}, \"page_load_gzip\": $((first_load + css)), \"chat_open_gzip\": $((first_load + css + panel))}")
else
  echo "every page (widget.js + widget.css): $((first_load + css)) bytes gzipped"
  echo "with the chat open (+ panel.js):      $((first_load + css + panel)) bytes gzipped"
fi
if [[ $fail == 1 ]]; then
  echo "widget-weight: over budget" >&2
  exit 1
fi
