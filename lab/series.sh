#!/bin/bash
# The shmem_shrinker_lab patch series as a git repository.
#
#   lab/series.sh build   rebuild lab/out/series/repo from the committed mboxes:
#                         base commit (lab/series/base, tag shmem-lab-base), then
#                         `git am` of fixtures/series/v5 and v6 onto it (branches
#                         v5, v6), re-export with format-patch and check that the
#                         result is byte-identical to fixtures/series/
#   lab/series.sh author  one-time authoring: base commit + lab/series/authoring/
#                         author.py, exported INTO fixtures/series/ (overwrites)
#
# Identity and dates are fixed (author.py, the mbox headers, BASE_DATE below),
# git runs without user/system config, so regeneration is byte for byte.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${OUT:-$HERE/out}
REPO=$OUT/series/repo
FIX=$ROOT/fixtures/series
NAME="Mara Lindqvist"; EMAIL="mara.lindqvist@shmem-lab.example"
BASE_DATE="2026-09-28T10:00:00+02:00"
export GIT_CONFIG_NOSYSTEM=1 HOME=$OUT/series/home
export GIT_AUTHOR_NAME=$NAME GIT_AUTHOR_EMAIL=$EMAIL GIT_COMMITTER_NAME=$NAME GIT_COMMITTER_EMAIL=$EMAIL
mkdir -p "$HOME"
g() { git -C "$REPO" -c core.abbrev=12 -c init.defaultBranch=master "$@"; }

make_base() {
    rm -rf "$REPO"; mkdir -p "$REPO"
    g init -q
    cp "$HERE"/series/base/* "$REPO/"
    g add -A .
    GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE g commit -q -F - <<'MSG'
shmem-shrinker-lab: Add the module skeleton

An out-of-tree module that prints its version and git commit when it
loads, and creates its debugfs directory. The following series turn it
into a small model of the drm-shmem generic shrinker.

Signed-off-by: Mara Lindqvist <mara.lindqvist@shmem-lab.example>
MSG
    g tag shmem-lab-base
}

export_series() { # version dest
    local v=$1 dest=$2 n=${1#v}
    g config "branch.$v.description" "$(cat "$HERE/series/cover-$v.txt")"
    rm -rf "$dest"; mkdir -p "$dest"
    # the cover letter's Date: is the committer date
    GIT_COMMITTER_DATE=$(case $v in v5) echo 2026-10-06T11:00:00+02:00 ;; v6) echo 2026-10-20T16:00:00+02:00 ;; esac) \
    g format-patch -q --cover-letter --cover-from-description=subject -v"$n" \
        --base=shmem-lab-base -o "$dest" "shmem-lab-base..$v"
}

case "${1:-build}" in
author)
    make_base
    python3 "$HERE/series/authoring/author.py" "$REPO"
    for v in v5 v6; do export_series "$v" "$FIX/$v"; done
    ls -la "$FIX"/v5 "$FIX"/v6
    ;;
build)
    make_base
    for v in v5 v6; do
        g checkout -q -b "$v" shmem-lab-base
        # every mbox but the cover letter, in order
        g am -q --committer-date-is-author-date $(ls "$FIX/$v"/*.patch | grep -v -- '-0000-cover-letter.patch$')
        export_series "$v" "$OUT/series/export/$v"
        if diff -r "$FIX/$v" "$OUT/series/export/$v" > "$OUT/series/diff-$v.txt"; then
            echo "series $v: $(g rev-list --count shmem-lab-base.."$v") patches applied with git am; re-export is byte-identical"
        else
            echo "series $v: re-export DIFFERS from fixtures/series/$v (see $OUT/series/diff-$v.txt)"; exit 1
        fi
    done
    g log --oneline --graph --decorate --all | cat
    ;;
*) echo "usage: $0 build|author"; exit 2 ;;
esac
