#!/usr/bin/env python3
"""One-time authoring of the shmem_shrinker_lab patch series (v5 and v6).

The committed mboxes in fixtures/series/ are the source of truth; lab/lab.sh
rebuilds the git repository from them with `git am`. This script is how they
were first written: the *.tmpl files are the module's sources with
`//@ if <expr>` / `//@ endif` blocks, where <expr> is a Python expression over
the patch names below (true once that patch is applied) and `v5` / `v6`.
For each version it writes one commit per patch, with fixed identity and dates.

Usage: author.py REPO_DIR   (REPO_DIR must already hold the base commit,
                             tagged shmem-lab-base; lab.sh makes it)
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
IDENT = ("Mara Lindqvist", "mara.lindqvist@shmem-lab.example")
SOB = f"Signed-off-by: {IDENT[0]} <{IDENT[1]}>"

FILES = {  # output file -> patch that creates it (None: in the base commit)
    "Makefile": None,
    "shmem_lab.h": None,
    "shmem_lab_drv.c": None,
    "shmem_lab_obj.c": "obj",
    "shmem_lab_lru.c": "lru",
    "shmem_lab_workload.c": "work",
    "shmem_lab_shrinker.c": "shrink",
}

V5_DATE = "2026-10-06T09:{:02d}:00+02:00"
V6_DATE = "2026-10-20T14:{:02d}:00+02:00"

# (name, version-specific date or None for the v5 date, subject, body)
MSG = {}
MSG["obj"] = ("Add shmem-backed buffer objects", """\
Add buffer objects backed by a shmem file, like drm_gem_shmem_object.
Each object has its own dma_resv, whose lock protects the page array.
shmem_lab_object_get_pages() pins the backing pages with the mapping's
GFP mask, so it can enter direct reclaim; it must be called with the
reservation lock held.""")
MSG["madv"] = ("Add a madvise-like purgeable state", """\
Userspace tells the GEM drivers with a madvise ioctl that the contents of
a buffer object are no longer needed, and such an object can be purged
under memory pressure instead of being swapped out. Add the same states:
WILLNEED, DONTNEED and PURGED. Once purged, an object cannot get pages
again.""")
MSG["lru5"] = ("Track objects on evictable and purgeable LRU lists", """\
Keep the objects that have pages on one of two LRU lists, depending on
their madvise state, so that the shrinker does not have to walk all
objects. The lists are protected by a spinlock in the device.

v3: - Use a spinlock for the LRU lists.""")
MSG["lru6"] = ("Track objects on evictable and purgeable LRU lists", """\
Keep the objects that have pages on one of two LRU lists, depending on
their madvise state, so that the shrinker does not have to walk all
objects. The lists are protected by lru_lock in the device.

v6: - Make lru_lock a mutex, so that the shrinker can evict objects
      while it walks the lists; add shmem_lab_lru_update_locked().
v3: - Use a spinlock for the LRU lists.""")
MSG["work5"] = ("Add workload threads that populate objects", """\
Add a debugfs file, populate: writing N to it runs N iterations in each
of `workers` kernel threads. Each iteration creates an object, populates
its pages under the object's reservation lock (GFP_KERNEL allocations,
as drivers do when they pin a buffer object for a job), puts it on the
LRU, marks every other object DONTNEED and frees the oldest object once a
thread has more than max_objects of them.""")
MSG["work6"] = ("Add workload threads that populate objects", """\
Add a debugfs file, populate: writing N to it runs N iterations in each
of `workers` kernel threads. Each iteration creates an object, populates
its pages under the object's reservation lock (GFP_KERNEL allocations,
as drivers do when they pin a buffer object for a job), puts it on the
LRU, marks every other object DONTNEED and frees the oldest object once a
thread has more than max_objects of them.

v6: - Populate under lru_lock, so that the shrinker never sees an object
      on the LRU whose pages are still being populated.""")
MSG["evict5"] = ("Add evict and purge helpers", """\
Evicting an object releases its pages: they stay in the shmem page cache,
where reclaim can swap them out, and shmem_lab_object_get_pages() brings
them back. Purging an object marked DONTNEED truncates its shmem file, so
its memory is freed for good.

Both are called with the object's reservation lock held.

v2: - Split out of the shrinker patch.""")
MSG["evict6"] = ("Add evict and purge helpers", """\
Evicting an object releases its pages: they stay in the shmem page cache,
where reclaim can swap them out, and shmem_lab_object_get_pages() brings
them back. Purging an object marked DONTNEED truncates its shmem file, so
its memory is freed for good.

Both are called with the object's reservation lock held and return the
number of pages they released.

v6: - Return the number of released pages, and check the madvise state
      in the helpers rather than in the callers.
v2: - Split out of the shrinker patch.""")
MSG["shrink5"] = ("Register a generic memory shrinker", """\
Register a shrinker that counts the pinned pages of all objects and, when
asked to scan, takes objects off the LRU (purgeable ones first), locks
them and purges or evicts them.

v5: - Take the objects off the LRU before locking them, so that a
      concurrent swap-in never sees a half-evicted object.
    - Count purged pages in the freed total.""")
MSG["shrink6"] = ("Register a generic memory shrinker", """\
Register a shrinker that counts the pinned pages of all objects and, when
asked to scan, walks the LRU lists with lru_lock held and evicts or purges
the objects whose reservation lock it can take.

The scan runs in reclaim, under fs_reclaim, so it must not sleep on a
reservation lock: dma_resv_lockdep() teaches lockdep that allocations
happen under reservation_ww_class_mutex. Only trylock the objects, and
give up with SHRINK_STOP when lru_lock is contended.

v6: - Use dma_resv_trylock(): v5 took dma_resv_lock() and lockdep reported
      a circular dependency against fs_reclaim.
    - Walk the lists under lru_lock instead of taking objects off them.
v5: - Take the objects off the LRU before locking them, so that a
      concurrent swap-in never sees a half-evicted object.
    - Count purged pages in the freed total.""")
MSG["split"] = ("Purge objects before evicting any", """\
Purging frees memory for good, while evicted pages still have to be
swapped out. Walk the purgeable list first and only evict objects when
purging did not free enough pages, each in its own function.""")
MSG["stats"] = ("Add debugfs statistics", """\
Add a stats file next to populate with the number of objects, pinned
pages, and evicted and purged objects.

v4: - Rebased on the debugfs statistics.""")
MSG["swapin"] = ("Swap evicted objects back in", """\
An evicted object that is still needed gets its pages back when a job
uses it. Make every fourth workload iteration repopulate the oldest
evicted object of its thread, and count swap-ins in the statistics.""")
MSG["pin"] = ("Skip objects pinned for scanout", """\
A buffer that is being scanned out must keep its pages. Let the workload
pin every eighth object, as a scanout buffer, and make the shrinker put
pinned objects back on the LRU instead of evicting them.

v4: - Pin scanout buffers instead of skipping the first object.""")

SERIES = {
    "v5": [("obj", "obj"), ("madv", "madv"), ("lru", "lru5"), ("work", "work5"),
           ("evict", "evict5"), ("shrink", "shrink5"), ("stats", "stats"),
           ("swapin", "swapin"), ("pin", "pin")],
    "v6": [("obj", "obj"), ("madv", "madv"), ("lru", "lru6"), ("work", "work6"),
           ("evict", "evict6"), ("shrink", "shrink6"), ("split", "split"),
           ("stats", "stats"), ("swapin", "swapin")],
}
# author date: unchanged and changed patches keep their v5 date (as a rebase
# does); the patch that is new in v6 gets a v6 date
V5_ORDER = [f for f, _ in SERIES["v5"]]
ALL_FEATURES = sorted({f for s in SERIES.values() for f, _ in s})


def render(template: str, env: dict) -> str:
    out, stack = [], []
    for line in template.splitlines(keepends=True):
        m = re.match(r"\s*//@ (if (.*)|endif)\s*$", line)
        if m:
            if m.group(1) == "endif":
                stack.pop()
            else:
                stack.append(bool(eval(m.group(2), {}, env)))
            continue
        if all(stack):
            out.append(line)
    assert not stack, "unbalanced //@ if"
    return "".join(out)


def write_tree(repo: str, version: str, applied: set) -> None:
    env = {f: (f in applied) for f in ALL_FEATURES}
    env.update(v5=version == "v5", v6=version == "v6")
    for name, needs in FILES.items():
        path = os.path.join(repo, name)
        if needs is not None and needs not in applied:
            continue
        with open(os.path.join(HERE, name + ".tmpl")) as f:
            text = render(f.read(), env)
        with open(path, "w") as f:
            f.write(text)


def git(repo, *args, env=None):
    return subprocess.run(["git", "-C", repo, *args], check=True, env=env,
                          capture_output=True, text=True).stdout


def main() -> None:
    repo = sys.argv[1]
    for version, patches in SERIES.items():
        git(repo, "checkout", "-q", "-B", version, "shmem-lab-base")
        applied = set()
        for feature, msg_key in patches:
            applied.add(feature)
            write_tree(repo, version, applied)
            if feature in V5_ORDER:
                date = V5_DATE.format(V5_ORDER.index(feature) * 7)
            else:
                date = V6_DATE.format(0)
            subject, body = MSG[msg_key]
            message = f"shmem-shrinker-lab: {subject}\n\n{body}\n\n{SOB}\n"
            env = dict(os.environ, GIT_AUTHOR_NAME=IDENT[0], GIT_AUTHOR_EMAIL=IDENT[1],
                       GIT_COMMITTER_NAME=IDENT[0], GIT_COMMITTER_EMAIL=IDENT[1],
                       GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
            git(repo, "add", "-A", ".")
            git(repo, "commit", "-q", "-m", message, env=env)
        print(version, git(repo, "log", "--oneline", "shmem-lab-base.." + version), end="")


if __name__ == "__main__":
    main()
