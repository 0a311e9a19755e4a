#!/bin/sh
# Run in the image's build stage, whose target/ is a BuildKit cache mount kept between builds.
# Cargo decides what to rebuild by modification times; a copied source keeps the mtime it had in
# the build context, so a file whose content changed while its mtime did not move past the last
# build (another checkout's older copy, say) would be taken as built. So:
#   changed-sources touch   touches every source whose content differs from the last build's
#                           (all of them the first time), so cargo rebuilds exactly those crates;
#   changed-sources save    records the contents once the build has succeeded.
set -eu
# One list per profile: a dev build and a release build do not share artifacts.
LIST=target/.source-sums-${CARGO_PROFILE:-release}
NOW=/tmp/source-sums

# Every file the build can read (sources, manifests, files a crate includes).
sums() {
  find . -path ./target -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
}

# Paths of sha256sum lines ("<64 hex>  <path>": the path starts at column 67); -c: never
# creates a file (a name sha256sum had to escape is simply skipped).
touch_paths() { cut -c67- | while IFS= read -r path; do touch -c -- "$path"; done; }

case "${1:-}" in
  touch)
    sums >"$NOW"
    if [ -f "$LIST" ]; then
      grep -vxFf "$LIST" "$NOW" | touch_paths
    else
      touch_paths <"$NOW"
    fi
    # Until this build succeeds, target/ may hold artifacts of sources that are not recorded:
    # with no list, the next build touches everything again.
    rm -f "$LIST"
    ;;
  save) cp "$NOW" "$LIST" ;;
  *) echo "usage: changed-sources touch|save" >&2; exit 2 ;;
esac
