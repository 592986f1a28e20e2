#!/usr/bin/env bash
# Installs the system libraries KVTable builds against, when they are missing:
# LMDB (liblmdb-dev) for the library, SQLite (libsqlite3-dev) for the benchmark's baseline,
# zlib (zlib1g-dev) for the server's compressed requests, all found through pkg-config.
# Debian/Ubuntu (apt-get); elsewhere it says what to install.
set -euo pipefail

missing=()
pkg-config --exists lmdb 2>/dev/null || missing+=(liblmdb-dev)
pkg-config --exists sqlite3 2>/dev/null || missing+=(libsqlite3-dev)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "KVTable needs: ${missing[*]} (LMDB and SQLite with their pkg-config files). Install them with your package manager." >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "Installing ${missing[*]} needs root or sudo." >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing ${missing[*]} …" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
