#!/bin/sh
# Run in the image's build stage, whose target/ is a BuildKit cache mount kept between builds.
# Cargo decides what to rebuild by modification times; a copied source keeps the mtime it had in
# the build context, so a file whose content changed while its mtime did not move past the last
# build (another checkout's older copy, say) would be taken as built. So:
#   changed-sources touch   touches every source whose content differs from the last build's
#                           (all of them the first time), so cargo rebuilds exactly those crates;
#   changed-sources save    records the contents once the build has succeeded.
set -eu
LIST=target/.source-sums
NOW=/tmp/source-sums

# Every file the build can read (sources, manifests, files a crate includes).
sums() {
  find . -path ./target -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum
}

case "${1:-}" in
  touch)
    sums >"$NOW"
    if [ -f "$LIST" ]; then
      # sha256sum lines are "<64 hex>  <path>": the path starts at column 67.
      grep -vxFf "$LIST" "$NOW" | cut -c67- | while IFS= read -r path; do touch "$path"; done
    else
      cut -c67- "$NOW" | while IFS= read -r path; do touch "$path"; done
    fi
    ;;
  save) cp "$NOW" "$LIST" ;;
  *) echo "usage: changed-sources touch|save" >&2; exit 2 ;;
esac
