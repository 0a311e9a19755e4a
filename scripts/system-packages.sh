# Sourced by the set-up scripts: checks that programs the project needs from the system are on
# PATH. A missing one is never installed behind the user's back: the run stops with the command
# that installs it on Debian/Ubuntu, Fedora and macOS, unless SETUP_SYSTEM_PACKAGES=1 asks for the
# install (apt-get, dnf or brew; sudo only when not root). .ci/run sets it. Bash 3.2 (macOS) safe.
# shellcheck shell=bash

# The packages that provide a program, per package manager: "apt dnf brew", several joined by
# commas (brew: "-" when macOS ships it, "cask:NAME" for a cask).
packages_of() {
  case $1 in
    cc) echo "build-essential gcc -" ;;
    make) echo "make make -" ;;
    curl) echo "curl curl -" ;;
    git) echo "git git git" ;;
    npm) echo "npm npm node" ;;
    python3) echo "python3,python3-pip python3,python3-pip python" ;;
    pip3) echo "python3-pip python3-pip python" ;;
    jq) echo "jq jq jq" ;;
    shellcheck) echo "shellcheck ShellCheck shellcheck" ;;
    chromium) echo "chromium chromium cask:chromium" ;;
    wrk) echo "wrk wrk wrk" ;;
    docker-compose) echo "docker-compose docker-compose docker-compose" ;;
    dockerd) echo "docker.io moby-engine docker" ;;
    debootstrap) echo "debootstrap debootstrap -" ;;
    ip) echo "iproute2 iproute -" ;;
    *) echo "$1 $1 $1" ;;
  esac
}

# The packages for a list of programs, for one manager (1 = apt, 2 = dnf, 3 = brew).
packages_for() {
  local column=$1 program package
  shift
  for program in "$@"; do
    # shellcheck disable=SC2046 # word splitting is the point: three columns
    set -- $(packages_of "$program")
    case $column in 1) package=$1 ;; 2) package=$2 ;; *) package=$3 ;; esac
    [[ $package == - ]] || echo "${package//,/ }"
  done
}

join_lines() { tr '\n' ' ' | sed 's/ $//'; }

# require_programs PURPOSE PROGRAM...: returns when every PROGRAM is on PATH (installing the
# missing ones when SETUP_SYSTEM_PACKAGES=1), else stops with what to install and how.
require_programs() {
  local purpose=$1 program missing=()
  shift
  for program in "$@"; do
    command -v "$program" >/dev/null 2>&1 || missing+=("$program")
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ ${SETUP_SYSTEM_PACKAGES:-0} == 1 ]]; then
    install_programs "${missing[@]}"
    return
  fi
  local apt dnf brew casks="" formulae=""
  apt=$(packages_for 1 "${missing[@]}" | join_lines)
  dnf=$(packages_for 2 "${missing[@]}" | join_lines)
  brew=$(packages_for 3 "${missing[@]}" | join_lines)
  for program in $brew; do
    case $program in cask:*) casks="$casks ${program#cask:}" ;; *) formulae="$formulae $program" ;; esac
  done
  {
    echo "error: $purpose needs programs that are not installed: ${missing[*]}"
    echo "  Debian/Ubuntu: sudo apt-get install $apt"
    echo "  Fedora:        sudo dnf install $dnf"
    [[ -n $formulae ]] && echo "  macOS:         brew install${formulae}"
    [[ -n $casks ]] && echo "  macOS:         brew install --cask${casks}"
    [[ " ${missing[*]} " == *" cc "* ]] && echo "  macOS (cc):    xcode-select --install"
    echo "Or run it again with SETUP_SYSTEM_PACKAGES=1 to have them installed for you."
  } >&2
  exit 1
}

install_programs() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "error: installing $* needs root or sudo" >&2; exit 1; }
    sudo=sudo
  fi
  echo "installing $* (SETUP_SYSTEM_PACKAGES=1)"
  if command -v apt-get >/dev/null 2>&1; then
    $sudo apt-get update -qq
    # shellcheck disable=SC2046
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      $(packages_for 1 "$@") >/dev/null
  elif command -v dnf >/dev/null 2>&1; then
    # shellcheck disable=SC2046
    $sudo dnf install -y -q $(packages_for 2 "$@")
  elif command -v brew >/dev/null 2>&1; then
    local package
    for package in $(packages_for 3 "$@"); do
      case $package in cask:*) brew install --cask "${package#cask:}" ;; *) brew install "$package" ;; esac
    done
  else
    echo "error: no apt-get, dnf or brew to install $* with" >&2
    exit 1
  fi
}
