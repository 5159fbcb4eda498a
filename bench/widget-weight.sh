#!/usr/bin/env bash
# Weight of the visitor widget: raw and gzip -9 sizes of what a customer page downloads.
# Fails when over budget (widget.js: 4 KB gzipped, on every page; the panel, panel.js and the
# panel-*.js modules it imports, plus one language's table, l10n-XX.js, the largest one, 25 KB
# gzipped in all, loaded only when the chat opens; the table loads on every page, see below).
# widget.css loads on every page, the panel's stylesheets with the panel.
# Measures what is SERVED: the files as the `frontdesk` binary sends them (minified at build
# time by crates/server/build.rs), fetched from a server it starts on a loopback port with a
# scratch data directory. The binary: $FRONTDESK_BIN, else target/release/frontdesk, else
# target/debug/frontdesk (build it first).
# Usage: bench/widget-weight.sh [--json]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${FRONTDESK_BIN:-}"
if [[ -z "$bin" ]]; then
  for b in "$root/target/release/frontdesk" "$root/target/debug/frontdesk"; do
    [[ -x "$b" ]] && { bin="$b"; break; }
  done
fi
[[ -n "$bin" && -x "$bin" ]] || { echo "widget-weight: no frontdesk binary (cargo build --release -p frontdesk, or set FRONTDESK_BIN)" >&2; exit 2; }

# The server, on a port of its choosing; stopped (by its process id) on exit.
scratch="$(mktemp -d)"
pid=
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT
FRONTDESK_LOG=warn "$bin" --data-dir "$scratch/data" serve --listen 127.0.0.1:0 > "$scratch/out" 2>&1 &
pid=$!
base=
for _ in $(seq 1 100); do
  base="$(grep -o 'running at http://[^[:space:]]*' "$scratch/out" | cut -d' ' -f3 || true)"
  [[ -n "$base" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$scratch/out" >&2; echo "widget-weight: frontdesk did not start" >&2; exit 2; }
  sleep 0.1
done
[[ -n "$base" ]] || { echo "widget-weight: frontdesk did not start" >&2; exit 2; }
# Every widget file, as served (the names from web/widget).
dir="$scratch/served"
mkdir -p "$dir"
for f in "$root"/web/widget/*.js "$root"/web/widget/*.css; do
  name="$(basename "$f")"
  curl -fsS -o "$dir/$name" "$base/widget/$name"
done
declare -A budget=([widget.js]=4096 ['panel + locale']=25600)
json=0
[[ "${1:-}" == "--json" ]] && json=1

fail=0
rows=()
[[ $json == 0 ]] && printf '%-20s %10s %12s %14s\n' file raw 'gzip -9' 'budget (gz)'
# Sum of each file gzipped on its own (as served), over the files of a group.
size() { local raw=0 gz=0 f; for f in "$@"; do raw=$((raw + $(wc -c < "$f"))); gz=$((gz + $(gzip -9 -c "$f" | wc -c))); done; echo "$raw $gz"; }
# The largest language table (gzipped): only the chosen one travels.
locale=$(for f in "$dir"/l10n-*.js; do echo "$(gzip -9 -c "$f" | wc -c) $f"; done | sort -n | tail -1 | cut -d' ' -f2)
declare -A files=([widget.js]="$dir/widget.js" ['panel (all modules)']="$(echo "$dir"/panel*.js)"
  ["locale (largest)"]="$locale" ['panel + locale']="$(echo "$dir"/panel*.js) $locale"
  [widget.css]="$dir/widget.css" ['panel CSS']="$dir/widget-panel.css $dir/widget-forms.css"
  ['upload.js']="$dir/upload.js")
# upload.js (files) loads only when a visitor first attaches a file: outside the panel's budget.
for f in widget.js 'panel (all modules)' 'locale (largest)' 'panel + locale' widget.css 'panel CSS' upload.js; do
  # shellcheck disable=SC2086 # the group's paths (no spaces in them)
  read -r raw gz < <(size ${files[$f]})
  b=${budget[$f]:-}
  status=ok
  if [[ -n "$b" && $gz -gt $b ]]; then status=OVER; fail=1; fi
  if [[ $json == 1 ]]; then
    rows+=("\"$f\": {\"raw\": $raw, \"gzip\": $gz, \"budget_gzip\": ${b:-null}}")
  else
    printf '%-20s %10d %12d %14s %s\n' "$f" "$raw" "$gz" "${b:--}" "$([[ -n "$b" ]] && echo "$status")"
  fi
done
first_load=$(size "$dir/widget.js" "$locale" | cut -d' ' -f2)
css=$(size "$dir/widget.css" | cut -d' ' -f2)
# shellcheck disable=SC2086
panel=$(size ${files[panel (all modules)]} ${files[panel CSS]} | cut -d' ' -f2)
if [[ $json == 1 ]]; then
  (IFS=,; echo "{${rows[*]}, \"page_load_gzip\": $((first_load + css)), \"chat_open_gzip\": $((first_load + css + panel))}")
else
  echo "served by: $bin"
  echo "locale (largest): $(basename "$locale")"
  echo "every page (widget.js + its locale + widget.css): $((first_load + css)) bytes gzipped"
  echo "with the chat open (+ the panel, its CSS): $((first_load + css + panel)) bytes gzipped"
fi
if [[ $fail == 1 ]]; then
  echo "widget-weight: over budget" >&2
  exit 1
fi
