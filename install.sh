#!/bin/sh
# Installs tmux (when missing) and cxs, then starts a first session and lists it. That session
# runs the stand-in agent tests/fake-agent, which only prints what it was given: the demo
# costs nothing, whether or not codex is installed and logged in.
set -eu
cd "$(dirname "$0")"

if ! command -v tmux >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux
fi

# cxs starts a process for every command and three per session: a static glibc binary skips
# the dynamic loader and starts ~0.4 ms sooner (BENCHMARKS.md). With the target named, the flag
# stays off proc macros, which cannot be static.
host=$(rustc -vV | sed -n 's/^host: //p')
case $host in
*-linux-gnu) RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" && export RUSTFLAGS ;;
esac
cargo install --locked --quiet --path . --target "$host"
cxs="${CARGO_HOME:-$HOME/.cargo}/bin/cxs"

id=$(CXS_CODEX_BIN="$PWD/tests/fake-agent" "$cxs" new exec "hello from cxs")
"$cxs" list
echo
echo "Started the demo session '$id' with the stand-in agent tests/fake-agent (no model, no cost)."
echo "Read it with 'cxs logs $id'; remove it with 'cxs delete $id'."
echo "Start a real one with: cxs new exec \"your task\"   (runs codex from PATH, or CXS_CODEX_BIN)"
echo "(cxs is in $(dirname "$cxs"); add it to PATH if it is not there yet)"
