# Sourced by the load scripts (bench.sh, bench-builds.sh): a wrk request script with a JSON body,
# and the figures of a `wrk --latency` report, read in one place.
# shellcheck shell=bash

# Writes to FILE a wrk script that sends METHOD with the JSON BODY.
wrk_json_script() {
  printf 'wrk.method = "%s"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "$2" "'$3'" >"$1"
}

# The figures of a `wrk --latency` report, on one line: requests/s (rounded), p50 and p99 in ms
# (wrk prints "456.00us", "1.23ms" or "1.02s"), requests completed, and errors (non-2xx answers
# plus socket errors, timeouts included).
wrk_figures() {
  awk '
    function ms(v) { n = v + 0; if (v ~ /us$/) return n / 1000; if (v ~ /ms$/) return n; if (v ~ /s$/) return n * 1000; return n }
    /^Requests\/sec:/ { rate = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /requests in/ { requests = $1 }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %.2f %d %d\n", rate, p50, p99, requests, errors }' <<<"$1"
}
