#!/usr/bin/env python3
"""Turn one QEMU run's results (lab/out/results/<name>/) into a fixture bundle.

Standard bundle (fixtures/runs/<name>/): dmesg.txt, console.log, trace.txt
(gzip'd to trace.txt.gz when over 2 MB), trace.dat, proc-lockdep.txt,
proc-lockdep_chains.txt, proc-lock_stat.txt, run.json. Files a run does not
produce (e.g. /proc/lockdep on the stock kernel) are absent and listed in
run.json "absent".
"""
import argparse
import datetime
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess

GZIP_OVER = 2 * 1024 * 1024


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read(path, default=""):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return default


def gzip_file(src, dest):
    with open(src, "rb") as fi, open(dest, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as fo:
            shutil.copyfileobj(fi, fo)


def copy_text(src, dest_dir, name, gzip_over=GZIP_OVER):
    """Copy, gzip'ing when large; returns the bundle file name or None."""
    if not os.path.exists(src):
        return None
    if os.path.getsize(src) > gzip_over:
        gzip_file(src, os.path.join(dest_dir, name + ".gz"))
        return name + ".gz"
    shutil.copyfile(src, os.path.join(dest_dir, name))
    return name


def overruns(stats_text):
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r"== (cpu\d+)\n(?:.*\n)*?overrun: (\d+)", stats_text)}


def module_info(a):
    if a.module == "none":
        return None
    git = ["git", "-C", a.repo]
    sha = subprocess.run(git + ["rev-parse", a.ref + "^{commit}"], capture_output=True, text=True, check=True).stdout.strip()
    info = {
        "file": "shmem_shrinker_lab.ko",
        "sha256": sha256(a.module),
        "git_commit": sha,
        "version": read(os.path.join(os.path.dirname(a.module), "describe")).strip(),
        "subject": subprocess.run(git + ["log", "-1", "--format=%s", sha], capture_output=True, text=True, check=True).stdout.strip(),
    }
    for series in ("v5", "v6"):
        commits = subprocess.run(git + ["rev-list", "--reverse", "shmem-lab-base.." + series],
                                 capture_output=True, text=True, check=True).stdout.split()
        if sha in commits:
            info["series"] = series
            info["patch"] = f"{commits.index(sha) + 1:02d}/{len(commits):02d}"
            break
    return info


def main():
    p = argparse.ArgumentParser()
    for opt in ("name", "result", "dest", "keep", "variant", "kernel", "config", "initrd", "module", "ref", "repo"):
        p.add_argument("--" + opt, required=True)
    a = p.parse_args()
    out = os.path.join(a.result, "out")
    cmdline = read(os.path.join(a.result, "cmdline.txt")).strip()
    workload = {
        "run": re.search(r"lab\.run=(\S+)", cmdline).group(1),
        "populate_iterations_per_worker": int(m.group(1)) if (m := re.search(r"lab\.populate=(\d+)", cmdline)) else None,
        "phases": [l.split("] ", 1)[1] for l in read(os.path.join(out, "timeline.txt")).splitlines() if "] phase " in l],
        "description": {
            "main": "guest/workload.sh `workload`: drmfb frames + churn on /dev/dri/card0, fill page cache, "
                    "module workload threads (debugfs populate) + 2 memhogs + 2 drmfb clients in parallel, drop_caches",
            "short": "guest/workload.sh `workload_short`: fill page cache, module workload threads + 2 memhogs",
            "formats": "debugfs populate 64 + drop_caches under `trace-cmd record`, once per trace.dat variant",
            "big": "`trace-cmd record --file-version 6 -e lock` (unfiltered) + vmscan/virtio_gpu/dma_fence/drm during guest/workload.sh `workload_big` (drmfb, populate rounds, drop_caches until lab.bigmb MB, default 150)",
            "bigz": "`trace-cmd record --file-version 7 --compression zstd -e lock` (unfiltered) + vmscan/virtio_gpu/dma_fence/drm during guest/workload.sh `workload_big` (drmfb, populate rounds, drop_caches until lab.bigmb MB of raw data)",
        }["bigz" if "lab.run=bigz" in cmdline else a.keep],
    }
    kernel = {
        "variant": a.variant,
        "release": read(os.path.join(out, "uname.txt")).split()[2] if read(os.path.join(out, "uname.txt")) else None,
        "uname": read(os.path.join(out, "uname.txt")).strip(),
        "config_sha256": sha256(a.config),
        "bzImage_sha256": sha256(a.kernel),
        "cmdline": cmdline,
    }
    base = {
        "name": a.name,
        "date": datetime.datetime.fromtimestamp(os.path.getmtime(os.path.join(a.result, "console.log")), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kernel": kernel,
        "module": module_info(a),
        "initramfs_sha256": sha256(a.initrd),
        "workload": workload,
        "qemu_command": read(os.path.join(a.result, "qemu-cmd.txt")).strip(),
        "qemu_wall_seconds": round(float(read(os.path.join(a.result, "qemu-wall.txt"), "0") or 0), 1),
        "host": {"qemu": subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True).stdout.splitlines()[0],
                 "trace_cmd": next((l.strip() for l in subprocess.run(["trace-cmd", "--version"], capture_output=True, text=True).stdout.splitlines() if "version" in l), None)},
        "made_by": "lab/lab.sh (npm run lab -- <target>), see fixtures/PROVENANCE.md",
    }

    def write_json(dest, extra):
        doc = dict(base, **extra)
        with open(os.path.join(dest, "run.json"), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")

    def common(dest):
        os.makedirs(dest, exist_ok=True)
        for f in os.listdir(dest):
            os.unlink(os.path.join(dest, f))
        files = []
        for src, name in ((os.path.join(out, "dmesg.txt"), "dmesg.txt"), (os.path.join(a.result, "console.log"), "console.log")):
            got = copy_text(src, dest, name)
            if got:
                files.append(got)
        return files

    if a.keep in ("main", "short"):
        dest = a.dest
        files = common(dest)
        absent = []
        wanted = [("trace.txt", "trace.txt"), ("trace.dat", "trace.dat")]
        if a.keep == "main":
            wanted += [("proc-lockdep.txt",) * 2, ("proc-lockdep_chains.txt",) * 2, ("proc-lock_stat.txt",) * 2]
        for src, name in wanted:
            if name == "trace.dat" and a.keep == "short":
                continue
            path = os.path.join(out, src)
            if not os.path.exists(path):
                absent.append(name)
                continue
            if name.endswith(".dat"):
                shutil.copyfile(path, os.path.join(dest, name))
                files.append(name)
            else:
                # short runs: keep the bundle small, gzip traces over 256 KB
                files.append(copy_text(path, dest, name, GZIP_OVER if a.keep == "main" else 256 * 1024))
        stats = read(os.path.join(out, "ringbuf-stats.txt"))
        extra = {
            "files": {f: sha256(os.path.join(dest, f)) for f in sorted(files)},
            "absent": absent,
            "trace": {
                "text_lines": sum(1 for l in read(os.path.join(out, "trace.txt")).splitlines() if not l.startswith("#")),
                "ring_buffer_overruns": overruns(stats),
                "lock_filter": read(os.path.join(out, "lock-filter.txt")).strip() or None,
                "set_ftrace_filter": read(os.path.join(out, "set_ftrace_filter.txt")).splitlines(),
                "trace_dat_from": "trace-cmd extract of the same ring buffer, after trace.txt was read" if a.keep == "main" else None,
            },
            "module_stats": dict(l.split(": ", 1) for l in read(os.path.join(out, "module-stats.txt")).splitlines() if ": " in l),
        }
        write_json(dest, extra)
        print(f"bundle {dest}: {', '.join(sorted(files))}" + (f"; absent: {', '.join(absent)}" if absent else ""))
    elif a.keep == "formats":
        for name, opts in (("zstd", "--file-version 7 --compression zstd"), ("none", "--file-version 7 --compression none"), ("v6", "--file-version 6")):
            dest = os.path.join(a.dest, "tracedat-" + name)
            files = common(dest)
            src = os.path.join(out, f"trace-{name}.dat")
            shutil.copyfile(src, os.path.join(dest, "trace.dat"))
            files.append("trace.dat")
            report = subprocess.run(["trace-cmd", "report", "-i", os.path.join(dest, "trace.dat")], capture_output=True, text=True)
            tmp = os.path.join(a.result, f"report-{name}.txt")
            with open(tmp, "w") as f:
                f.write(report.stdout)
            files.append(copy_text(tmp, dest, "report.txt"))
            write_json(dest, {"name": "tracedat-" + name,
                              "files": {f: sha256(os.path.join(dest, f)) for f in sorted(set(files))},
                              "trace_dat": {"record_options": opts, "report": "report.txt = `trace-cmd report -i trace.dat` on the host (trace-cmd 3.1.6)"}})
            print(f"bundle {dest}")
    elif a.keep == "big":
        dest = a.dest
        os.makedirs(dest, exist_ok=True)
        shutil.move(os.path.join(out, "big.trace.dat"), os.path.join(dest, "trace.dat"))
        shutil.copyfile(os.path.join(out, "dmesg.txt"), os.path.join(dest, "dmesg.txt"))
        write_json(dest, {"files": {"trace.dat": sha256(os.path.join(dest, "trace.dat"))},
                          "size_bytes": os.path.getsize(os.path.join(dest, "trace.dat"))})
        print(f"big trace: {os.path.join(dest, 'trace.dat')} {os.path.getsize(os.path.join(dest, 'trace.dat'))} bytes")


if __name__ == "__main__":
    main()
