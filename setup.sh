#!/usr/bin/env bash
# Everything monlab needs on a Debian or Ubuntu machine, then nothing else: Docker's engine
# (installed if missing, started if not running), mmdebstrap (for the offline images), and monlab.
#
#   bash setup.sh && monlab up          # README's first command
#   bash setup.sh --test [PACKAGE ...]  # also the test extras and these Debian packages (.ci/setup)
#   monlab-python -m pytest -q          # README's test command: the Python this script installed monlab in
#
# macOS and Windows: Docker Desktop brings the engine; there, `pip install .` and `monlab up`.
set -euo pipefail
cd "$(dirname "$0")"

extras=""
if [ "${1:-}" = "--test" ]; then extras="[test]"; shift; fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v apt-get >/dev/null; then
  echo "This script sets up Debian and Ubuntu. Elsewhere: install Docker (Docker Desktop on macOS and Windows),"
  echo "then run: python3 -m pip install . && monlab up"
  exit 1
fi

# Is Python's own pip allowed to install here (PEP 668 marks Debian's system Python as externally managed)?
externally_managed() {
  python3 -c 'import os, sys, sysconfig; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'
}

need_apt=("$@")
command -v dockerd >/dev/null || need_apt+=(docker.io)
command -v mmdebstrap >/dev/null || need_apt+=(mmdebstrap)
if ! command -v python3 >/dev/null; then
  need_apt+=(python3 python3-venv)  # Debian's and Ubuntu's Python is externally managed: monlab gets a venv
elif externally_managed; then
  python3 -c 'import ensurepip' 2>/dev/null || need_apt+=(python3-venv)
else
  python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
fi
if ((${#need_apt[@]})); then
  echo "==> apt-get install ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! as_root docker info >/dev/null 2>&1; then
  echo "==> starting the Docker engine"
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    as_root systemctl enable --now docker
  else
    as_root sh -c 'nohup dockerd >/var/log/monlab-dockerd.log 2>&1 &'
  fi
  for _ in $(seq 60); do as_root docker info >/dev/null 2>&1 && break; sleep 1; done
  as_root docker info >/dev/null 2>&1 || { echo "dockerd did not start:"; as_root tail -20 /var/log/monlab-dockerd.log; exit 1; }
fi
if [ "$(id -u)" != 0 ] && ! docker info >/dev/null 2>&1; then
  as_root usermod -aG docker "$USER"
  echo "==> added $USER to the docker group: log in again (or run \`newgrp docker\`) before \`monlab up\`"
fi

pip_flags=(-q --disable-pip-version-check)
if externally_managed; then
  # Debian's Python: monlab gets a virtual environment of its own, and `monlab` a link on PATH.
  venv="${MONLAB_VENV:-$HOME/.local/share/monlab/venv}"
  echo "==> installing monlab$extras into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install "${pip_flags[@]}" ".$extras"
  as_root ln -sf "$venv/bin/monlab" /usr/local/bin/monlab
  monlab_python="$venv/bin/python"
else
  echo "==> pip install .$extras"
  [ "$(id -u)" = 0 ] && pip_flags+=(--root-user-action=ignore)
  python3 -m pip install "${pip_flags[@]}" ".$extras"
  monlab_python=$(python3 -c 'import sys; print(sys.executable)')
fi

# `monlab-python`: the interpreter monlab (and, with --test, pytest) went into, so README's test
# command runs the same way whichever Python this machine has. A script, not a link: a link to a
# venv's python would start the venv's base interpreter without the venv's packages.
wrapper=/usr/local/bin/monlab-python
marker="# written by monlab's setup.sh"
if [ -e "$wrapper" ] && ! grep -qF "$marker" "$wrapper"; then
  echo "==> $wrapper exists and is not monlab's: left as it is (README's test command needs it)"
else
  printf '#!/bin/sh\n%s: the Python monlab is installed in\nexec "%s" "$@"\n' "$marker" "$monlab_python" \
    | as_root tee "$wrapper" >/dev/null
  as_root chmod 755 "$wrapper"
fi
echo "==> ready: monlab $(monlab --version 2>/dev/null | cut -d' ' -f2) ($(command -v monlab)), its Python: monlab-python"
