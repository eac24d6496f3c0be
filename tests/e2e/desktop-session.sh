#!/usr/bin/env bash
# Runs a command inside a private desktop session for tests of the real app: a temporary HOME, an Xvfb
# display, a D-Bus session bus and an unlocked gnome-keyring (the Secret Service where the app keeps its
# database key). Afterwards, even on failure or Ctrl-C, every process started inside (tauri-driver,
# WebKitWebDriver, the app and its WebKit processes, gnome-keyring-daemon, dbus-daemon, Xvfb) is ended
# and the temporary HOME removed.
# Usage: [CLINIC_SESSION_LOG=FILE] tests/e2e/desktop-session.sh COMMAND [ARGS...]
# The command sees CLINIC_SESSION_HOME (the temporary HOME, a place for data folders). The messages of
# the session's own daemons (Xvfb, dbus-daemon, portals) go to CLINIC_SESSION_LOG, if given.
set -euo pipefail

for tool in xvfb-run dbus-run-session gnome-keyring-daemon WebKitWebDriver; do
  if ! command -v "$tool" >/dev/null; then
    echo "desktop-session: $tool is missing; on Debian/Ubuntu run scripts/install-deps (packages xvfb xauth dbus gnome-keyring webkit2gtk-driver)" >&2
    exit 1
  fi
done

session_home="$(mktemp -d "${TMPDIR:-/tmp}/clinic-desk-session.XXXXXX")"
# Every process started below inherits this variable: it is how they are found and ended afterwards,
# including gnome-keyring-daemon, which daemonizes out of this process tree.
export CLINIC_SESSION_HOME="$session_home"

session_pids() {
  local pid
  for pid in $(grep -lzxF "CLINIC_SESSION_HOME=$session_home" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do
    # Not this script, nor the subshell running this function.
    [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] && [ -d "/proc/$pid" ] && echo "$pid"
  done
  return 0
}

end_session() {
  local status=$? pids i
  trap - EXIT INT TERM
  pids="$(session_pids)"
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for i in $(seq 1 30); do
      pids="$(session_pids)"
      [ -z "$pids" ] && break
      sleep 0.1
    done
    if [ -n "$pids" ]; then
      echo "desktop-session: killing processes that did not end: $(echo $pids)" >&2
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
    fi
  fi
  rm -rf "$session_home"
  exit "$status"
}
trap end_session EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$session_home"/{data,config,cache,runtime}
chmod 700 "$session_home/runtime"

# The chatter of Xvfb, dbus-daemon and the desktop services it starts goes to this file; the command's own
# output is not touched (its stdout and stderr come through file descriptors 4 and 3).
log="${CLINIC_SESSION_LOG:-$session_home/session.log}"
mkdir -p "$(dirname "$log")"
: >"$log"

# Inside the bus: unlock a fresh login keyring (an empty password would leave it unusable), then run.
inner='printf "%s" "clinic-desk-test-keyring" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && "$@" >&4 2>&3 3>&- 4>&-'

HOME="$session_home" XDG_DATA_HOME="$session_home/data" XDG_CONFIG_HOME="$session_home/config" \
  XDG_CACHE_HOME="$session_home/cache" XDG_RUNTIME_DIR="$session_home/runtime" NO_AT_BRIDGE=1 \
  xvfb-run -a -s '-screen 0 1280x900x24' dbus-run-session -- bash -c "$inner" desktop-session "$@" 3>&2 4>&1 >>"$log" 2>&1
