#!/usr/bin/env bash
# Fetch a corpus of real-world workbooks that nobody here wrote: the example files that R's
# readxl and openxlsx packages ship (notes around tables, mixed types, pivot tables, named
# regions, legacy .xls). They come from Debian's archive and are not committed: their licences
# are the packages' own. tests/test_real_world.py reads every one of them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/corpus"
if [ -d "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
  echo "real-world corpus: $(ls "$dest" | wc -l) files already in $dest"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get update -qq >/dev/null 2>&1 || true
for attempt in 1 2 3; do  # a registry can hiccup; try again before giving up
  apt-get download r-cran-readxl r-cran-openxlsx >/dev/null 2>&1 && break
  [ "$attempt" = 3 ] && { echo "real-world corpus: apt-get download failed" >&2; exit 1; }
  sleep 5
done
for deb in *.deb; do dpkg-deb -x "$deb" x; done
mkdir -p "$dest"
find x -path '*extdata*' \( -iname '*.xlsx' -o -iname '*.xls' \) -exec cp {} "$dest" \;
echo "real-world corpus: $(ls "$dest" | wc -l) files in $dest"
