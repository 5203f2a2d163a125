#!/bin/sh
# in_netns.sh SCRIPT [ARGS...] -- run a scenario test inside a fresh network
# namespace that has only a loopback interface, so nothing the test starts can
# reach any other host, even by mistake.
set -e
if [ "${BTCSEED_IN_NETNS:-}" != 1 ]; then
  BTCSEED_IN_NETNS=1 exec unshare --net --fork -- "$0" "$@"
fi
ip link set lo up
case "$1" in
  *.py) exec /usr/bin/python3 "$@" ;;
  *) exec bash "$@" ;;
esac
