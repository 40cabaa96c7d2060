#!/usr/bin/env bash
# The machine packages batchfn's Python scoring and browser tests need, from Debian's archive:
# scikit-learn, pandas, cloudpickle and Pillow for /usr/bin/python3 (the interpreter the tests name
# through BATCHFN_PYTHON), Chromium for the job monitor's browser tests, and the openssl command,
# with which a test makes the self-signed certificate of an HTTPS Azurite. Run as root, or with sudo.
set -euo pipefail
packages=(python3-sklearn python3-pandas python3-cloudpickle python3-pil chromium openssl)
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
run apt-get update
DEBIAN_FRONTEND=noninteractive run apt-get install -y "${packages[@]}"
