#!/bin/sh
# setup.sh -- install everything btcseed needs to build and test (Debian 12, as root).
set -e
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2046
apt-get install -y -q --no-install-recommends $(grep -v '^#' scripts/packages.txt)
