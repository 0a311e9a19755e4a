# Sourced by the scripts: the services as topology.txt lists them (the one place that does), with
# their ports. Bash 3.2 and BSD userland safe.
# shellcheck shell=bash

TOPOLOGY_FILE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/topology.txt

topology_rows() { grep -vE '^[[:space:]]*(#|$)' "$TOPOLOGY_FILE"; }

# Everything `make up` starts, in start order (the broker first).
topology_names() { topology_rows | awk '{ print $1 }'; }

# The five services, in start order: providers before the services that call them.
topology_services() { topology_rows | awk '$1 != "pact-broker" { print $1 }'; }

# The services another service calls: the providers of the pacts, in start order.
topology_providers() {
  local called name
  called=" $(topology_rows | awk '{ for (i = 4; i <= NF; i++) print $i }' | tr '\n' ' ') "
  for name in $(topology_names); do
    [[ $called == *" $name "* ]] && echo "$name"
  done
  return 0
}

# The variable that sets NAME's port (ACCOUNTING_PORT, ..., BROKER_PORT).
port_variable_of() { topology_rows | awk -v name="$1" '$1 == name { print $3 }'; }

# NAME's port: its variable when set, else its default.
port_of() {
  local variable default
  read -r variable default < <(topology_rows | awk -v name="$1" '$1 == name { print $3, $2 }')
  echo "${!variable:-$default}"
}

# VARIABLE=port for every process: BASE plus its place in start order (1, 2, ...), so a test run
# has ports of its own.
ports_from() {
  topology_rows | awk -v base="$1" '{ print $3 "=" base + NR }'
}

# VARIABLE=port for every process: its default port plus OFFSET.
ports_shifted() {
  topology_rows | awk -v offset="$1" '{ print $3 "=" $2 + offset }'
}

# Exports the assignments `ports_from BASE` prints.
export_ports_from() {
  local assignment
  for assignment in $(ports_from "$1"); do export "${assignment?}"; done
}

# N ports free on 127.0.0.1 right now, space separated (tests only: asks python3, which make
# demo does not need).
free_ports() {
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()' "$1"
}
