#!/usr/bin/env bash
# Fails when a script that `make demo` runs uses a GNU-only flag or a bash-4 feature: macOS ships
# bash 3.2 and BSD tools. Scans the Makefile, mk/docker.mk and the scripts the demo's targets call,
# with every script those call in turn. `--self-test` first proves each rule catches its case.
set -euo pipefail
cd "$(dirname "$0")/.."

# 'pattern (extended regex) ## why it breaks on macOS'
# shellcheck disable=SC2016 # the patterns are regular expressions, not expansions
RULES=(
  'ln -[a-zA-Z]*r ## BSD ln has no -r: write the relative link out'
  'sed (-[a-zA-Z]*i( |$)|-i$) ## BSD sed -i needs a suffix argument (sed -i.bak), or write to a new file'
  'sed -[a-zA-Z]*r  ## sed -r is GNU-only: use sed -E'
  'date [^|;]*%N ## BSD date has no %N (nanoseconds)'
  'date -d  ## date -d is GNU-only'
  'readlink -f ## BSD readlink has no -f'
  '(^|[;&|(] *|then |do )timeout  ## timeout(1) is not on macOS'
  'grep -[a-zA-Z]*P ## grep -P (Perl regex) is GNU-only'
  'xargs -[a-zA-Z]*r ## xargs -r is GNU-only'
  'sort -[a-zA-Z]*V ## sort -V is GNU-only'
  'stat -c ## stat -c is GNU-only'
  'find .* -printf ## find -printf is GNU-only'
  '(^|[^a-z_])nproc([^a-z_]|$) ## nproc is not on macOS: getconf _NPROCESSORS_ONLN'
  '(^|[^a-z0-9_])(sha256sum|md5sum|tac)([^a-z0-9_]|$) ## not on macOS (shasum -a 256, tail -r)'
  '(^|[^a-z_])(mapfile|readarray)([^a-z_]|$) ## mapfile/readarray need bash 4'
  '(declare|local|typeset) -[a-zA-Z]*[An] ## associative arrays and namerefs need bash 4'
  '\$\{[a-zA-Z_][a-zA-Z0-9_]*(,,|\^\^|,|\^)\} ## case conversion in expansions needs bash 4'
  '[|]& ## |& needs bash 4'
  '(^|[^a-z_])coproc([^a-z_]|$) ## coproc needs bash 4'
  'wait -n ## wait -n needs bash 4.3'
  '\[\[ -v  ## [[ -v needs bash 4.2'
  'shopt -s globstar ## globstar needs bash 4'
  '\$\{[a-zA-Z_][a-zA-Z0-9_]*@[QEPAa]\} ## ${var@op} needs bash 4.4'
  'EPOCH(SECONDS|REALTIME) ## EPOCHSECONDS needs bash 5'
)

# Prints "file:line: why" for every line of the given files that breaks a rule; comments aside.
scan() {
  local rule pattern why file found=0
  for rule in "${RULES[@]}"; do
    pattern=${rule%% ## *} why=${rule##* ## }
    for file in "$@"; do
      while IFS= read -r hit; do
        echo "$file:${hit%%:*}: $why: ${hit#*:}"
        found=1
      done < <(grep -nE -- "$pattern" "$file" | grep -vE '^[0-9]+:[[:space:]]*#' || true)
    done
  done
  return "$found"
}

self_test() {
  local sample caught
  sample=$(mktemp)
  cat >"$sample" <<'SAMPLE'
ln -sfr a b
sed -i 's/a/b/' f
sed -r 's/a+/b/' f
date +%s%N
date -d yesterday
readlink -f x
out=$(timeout 5 curl x)
grep -P '\d' f
xargs -r rm
sort -V f
stat -c %s f
find . -name x -printf '%p'
n=$(nproc)
sha256sum f
mapfile -t lines <f
declare -A map
echo ${name,,}
cmd |& tee log
coproc x
wait -n
[[ -v name ]]
shopt -s globstar
echo ${name@Q}
echo $EPOCHSECONDS
SAMPLE
  local all_rules=("${RULES[@]}") rule missed=()
  caught=0
  for rule in "${all_rules[@]}"; do
    # shellcheck disable=SC2016 # the patterns are regular expressions, not expansions
RULES=("$rule")
    if scan "$sample" >/dev/null; then missed+=("${rule##* ## }"); else caught=$((caught + 1)); fi
  done
  # shellcheck disable=SC2016 # the patterns are regular expressions, not expansions
RULES=("${all_rules[@]}")
  rm -f "$sample"
  if ((${#missed[@]})); then
    printf 'check-portability self-test: a rule caught nothing: %s\n' "${missed[@]}" >&2
    exit 1
  fi
  echo "check-portability: self-test: each of $caught rules catches its GNU-only or bash-4 sample"
}

# The demo's scripts: those its targets call, and every script they call in turn.
demo_files() {
  local queue=(scripts/setup.sh scripts/services.sh scripts/pact-workflow.sh scripts/verify-pacts.sh
    scripts/demo-breaking-change.sh) seen=" " file called
  while ((${#queue[@]})); do
    file=${queue[0]} queue=("${queue[@]:1}")
    [[ $seen == *" $file "* ]] && continue
    seen="$seen$file "
    echo "$file"
    while IFS= read -r called; do
      [[ -f $called ]] && queue+=("$called")
    done < <(grep -vE '^[[:space:]]*#' "$file" | grep -oE 'scripts/[a-z0-9-]+\.sh' | sort -u)
  done
}

# The Pact CLI the demo installs is the prebuilt binary for the machine it runs on.
check_pact_cli_platforms() {
  local case os arch expected actual
  for case in "Linux x86_64 linux-x64" "Linux aarch64 linux-arm64" "Darwin arm64 darwin-arm64" \
    "Darwin x86_64 darwin-x64"; do
    read -r os arch expected <<<"$case"
    actual=$(scripts/install-pact-cli.sh --platform "$os" "$arch")
    [[ $actual == "$expected" ]] || { echo "check-portability: $os $arch gets $actual, not $expected" >&2; exit 1; }
  done
  if scripts/install-pact-cli.sh --platform FreeBSD amd64 >/dev/null 2>&1; then
    echo "check-portability: an unsupported platform must be refused" >&2
    exit 1
  fi
  echo "check-portability: the Pact CLI's prebuilt binary is chosen right for Linux and macOS, x64 and arm64"
}

if [[ ${1:-} == --self-test ]]; then
  self_test
  exit
fi
self_test
check_pact_cli_platforms
files=(Makefile mk/docker.mk)
while IFS= read -r file; do files+=("$file"); done < <(demo_files)
if ! scan "${files[@]}"; then
  echo "check-portability: the lines above would break make demo on macOS (bash 3.2, BSD tools)" >&2
  exit 1
fi
echo "check-portability: ${#files[@]} files make demo runs use no GNU-only flag or bash-4 feature: ${files[*]}"
