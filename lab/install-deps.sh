#!/bin/bash
# Debian 12 packages the lab needs (run as root). Idempotent: apt-get skips
# what is already installed.
#   qemu-system-x86       the emulator (TCG when the host has no VT-x/AMD-V)
#   linux-image-amd64     Debian's stock 6.1 kernel + modules (the `stock` run)
#   linux-headers-amd64   its headers, to build the lab module for it
#   busybox-static        guest userland
#   trace-cmd             guest recorder (copied into the initramfs) + host report
#   linux-source-6.1      source of the lockdep kernel and the DRM uapi headers
#   gcc make bc bison flex libelf-dev libssl-dev   kernel build
#   cpio kmod xz-utils    initramfs, module dependency resolution
#   git                   the module's patch series
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(qemu-system-x86 linux-image-amd64 busybox-static trace-cmd linux-source-6.1
    linux-headers-amd64 gcc libc6-dev make bc bison flex libelf-dev libssl-dev cpio kmod xz-utils git)
if dpkg-query -W -f='${Status}\n' "${pkgs[@]}" 2>/dev/null | grep -vq 'install ok installed' \
    || [ "$(dpkg-query -W -f='${Status}\n' "${pkgs[@]}" 2>/dev/null | wc -l)" -lt "${#pkgs[@]}" ]; then
    apt-get update
    apt-get install -y --no-install-recommends "${pkgs[@]}"
fi
