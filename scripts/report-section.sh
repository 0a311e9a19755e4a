# Sourced by the bench scripts: each writes its figures into a section of its own of a report
# file (BENCHMARKS.md), so a run replaces its own earlier figures and keeps every other section.
# shellcheck shell=bash

# Replaces the section NAME of FILE (between its two marker lines) with the text on stdin, or
# appends it when FILE has no such section yet. The markers are HTML comments: unseen on GitHub.
write_section() {
  local file=$1 name=$2
  local begin="<!-- $name: begin (rewritten by every run) -->" end="<!-- $name: end -->"
  local body
  body=$(cat)
  touch "$file"
  if grep -qxF "$begin" "$file"; then
    # Fails (and leaves FILE as it was) when the end marker does not follow the begin marker.
    BEGIN_LINE=$begin END_LINE=$end BODY=$body awk '
      $0 == ENVIRON["BEGIN_LINE"] { print; print ENVIRON["BODY"]; skipping = 1; next }
      $0 == ENVIRON["END_LINE"] { skipping = 0 }
      !skipping
      END { exit skipping }' "$file" >"$file.new" ||
      { rm -f "$file.new"; echo "error: in $file, '$begin' is not followed by '$end'" >&2; return 1; }
    mv "$file.new" "$file"
  else
    printf '%s\n%s\n%s\n' "$begin" "$body" "$end" >>"$file"
  fi
}
