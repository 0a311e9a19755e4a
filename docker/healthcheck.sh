#!/bin/bash
# Container healthcheck with nothing but bash: GET http://127.0.0.1:$PORT${1:-/health} and
# succeed on a 200 answer. The runtime images need no curl, so they stay small and can be
# built with no network access at all.
set -euo pipefail
path=${1:-/health}
exec 3<>"/dev/tcp/127.0.0.1/${PORT:?PORT is not set}"
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
IFS=' ' read -r -t 5 _ status _ <&3
[[ $status == 200 ]]
