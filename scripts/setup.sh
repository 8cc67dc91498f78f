#!/usr/bin/env bash
# Shared by scripts/test and scripts/run: install what is missing, and only that.
# Sourced, not run; expects to be in the repository root.

VENV=.venv
STAMP="$VENV/.requirements.sha256"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'scripts/test: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run '$*', and sudo is not installed"
    fi
}

# Wait for dpkg's lock rather than fail when another apt run (or a colleague's) holds it.
APT_OPTS=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)

have_postgres_server() { compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || command -v pg_ctl >/dev/null 2>&1; }
have_redis_server() { command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; }

pick_python() {
    if command -v python3.11 >/dev/null 2>&1; then
        echo python3.11
    elif command -v python3 >/dev/null 2>&1 &&
        python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        echo python3
    fi
}

install_system_packages() {
    local python="$1" missing=()
    have_redis_server || missing+=(redis-server)
    # Running the service needs only Redis; the tests also need PostgreSQL and a browser.
    if [ "${MIANHUA_FOR_TESTS:-1}" = 1 ]; then
        have_postgres_server || missing+=(postgresql)
        [ -x /usr/bin/chromium ] || missing+=(chromium)
        [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
        # Without a Chinese font the browser tests' screenshots show boxes for every character.
        [ -d /usr/share/fonts/truetype/wqy ] || missing+=(fonts-wqy-microhei)
    fi
    # Debian's own python3 has no ensurepip until python3-venv is installed.
    if [ ! -x "$VENV/bin/python" ] && [ -n "$python" ] && ! "$python" -c 'import ensurepip' 2>/dev/null; then
        missing+=(python3-venv)
    fi
    if [ -z "$python" ]; then
        missing+=(python3 python3-venv)
    fi
    [ "${#missing[@]}" -eq 0 ] && return 0

    command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]}, and this is not a Debian machine (no apt-get)"
    say "Installing system packages: ${missing[*]}"
    # apt and dpkg are chatty; keep their output in a log and show it only if they fail.
    local log
    log=$(mktemp -t mianhua-apt.XXXXXX)
    if ! {
        as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update &&
            as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y \
                --no-install-recommends "${missing[@]}"
    } >"$log" 2>&1; then
        cat "$log" >&2
        die "installing ${missing[*]} failed (output above, also in $log)"
    fi
    rm -f "$log"
}

ensure_venv() {
    local python="$1"
    if [ -e "$VENV" ] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        # A venv whose interpreter cannot start (moved, or its Python removed) is useless.
        say "$VENV is broken (its python does not run); recreating it"
        rm -rf "$VENV"
    fi
    if [ ! -e "$VENV" ]; then
        [ -n "$python" ] || die "Python 3.11 not found: install python3.11 (or python3 if it is 3.11)"
        say "Creating $VENV with $("$python" --version 2>&1)"
        "$python" -m venv "$VENV"
    fi
    "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
        die "$VENV is not Python 3.11 ($("$VENV/bin/python" --version 2>&1)); remove it and re-run"

    local want have=""
    want=$(sha256sum requirements.txt | cut -d' ' -f1)
    [ -f "$STAMP" ] && have=$(cat "$STAMP")
    if [ "$want" != "$have" ]; then
        say "Installing requirements.txt into $VENV"
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r requirements.txt
        echo "$want" >"$STAMP"
    fi
}

