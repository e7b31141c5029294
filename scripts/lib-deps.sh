# Shared by scripts/quickstart and scripts/test: install what is missing on a fresh Debian box.
# Usage: ensure_debs pkg...   (as root, or with sudo available)
ensure_debs() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}" >&2
  local SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
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
