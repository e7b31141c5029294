# Shared by scripts/quickstart, scripts/test and scripts/install: install what is missing on a
# fresh Debian box.  Usage: ensure_debs pkg...   (as root, or with sudo available)
#
# Another apt may be running (unattended-upgrades at boot, a second set-up, an admin): apt-get
# then fails at once with "Could not get lock /var/lib/dpkg/lock-frontend" (install) or
# ".../var/lib/apt/lists/lock" (update). apt_get waits instead, bounded by
# SIGPROBE_APT_LOCK_TIMEOUT seconds (default 300): the dpkg lock through apt's own
# DPkg::Lock::Timeout; the lists lock, which apt-get update does not wait for, by retrying while
# the error is a lock held by someone else, until the same deadline. Then it fails as before.
SIGPROBE_APT_LOCK_TIMEOUT=${SIGPROBE_APT_LOCK_TIMEOUT:-300}

# apt_get args...: apt-get as root (sudo when not root), non-interactive, waiting for apt's locks.
apt_get() {
  local sudo="" err rc said=0 deadline=$((SECONDS + SIGPROBE_APT_LOCK_TIMEOUT))
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  err=$(mktemp)
  while :; do
    rc=0
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$SIGPROBE_APT_LOCK_TIMEOUT" "$@" >&2 2>"$err" || rc=$?
    if [ "$rc" -ne 0 ] && grep -q "Could not get lock" "$err" && [ "$SECONDS" -lt "$deadline" ]; then
      if [ "$said" = 0 ]; then
        echo "apt is busy, waiting up to ${SIGPROBE_APT_LOCK_TIMEOUT}s: $(grep -m1 "Could not get lock" "$err" | sed 's/^E: //')" >&2
        said=1
      fi
      sleep 2
      continue
    fi
    cat "$err" >&2
    rm -f "$err"
    [ "$rc" -eq 0 ] && [ "$said" = 1 ] && echo "apt lock free again: apt-get $1 done" >&2
    return "$rc"
  done
}

# debs_missing pkg...: prints the packages that are not installed.
debs_missing() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

# apt_install pkg...: apt-get update, then install (each waiting for a busy apt, see above).
apt_install() {
  echo "installing Debian packages: $*" >&2
  apt_get update -qq
  apt_get install -y -qq "$@"
}

ensure_debs() {
  local missing
  missing=$(debs_missing "$@")
  [ -z "$missing" ] && return 0
  # shellcheck disable=SC2086 # one package name per word
  apt_install $missing
}

# npm ci when node_modules is missing or older than the lock file; then the TypeScript build.
ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "npm ci (builds better-sqlite3 and pcap from source: ~2 min the first time)" >&2
    # bullmq -> msgpackr -> msgpackr-extract lists prebuilt packages for every platform as optional
    # dependencies; a registry mirror that lacks some of them (darwin, win32, linux-arm) makes
    # `npm install` leave them out of the lock file, and `npm ci` then refuses the lock ("Missing:
    # @msgpackr-extract/... from lock file"). The lock carries entries for them (they are never
    # installed on Linux x64/arm64); should it lose them again, fall back to npm install, which
    # resolves the same versions from package.json and skips what the registry does not serve.
    if ! npm ci --no-audit --no-fund >&2; then
      echo "npm ci refused the lock file: falling back to npm install" >&2
      npm install --no-audit --no-fund >&2
    fi
  fi
  npm run -s build >&2
}

# pg_extension_debs: the Debian packages of the PostgreSQL extensions the collector's rollups need
# (hll, tdigest: src/collector/rollups.ts), for the PostgreSQL major version installed (default 15).
pg_extension_debs() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
  v=${v:-15}
  echo "postgresql-$v-hll postgresql-$v-tdigest"
}
