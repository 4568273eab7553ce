#!/bin/sh
# Installs tmux (when missing) and cxs, then starts a first session and lists it.
# Without codex on PATH (and no CXS_CODEX_BIN), the session runs the stand-in agent
# tests/fake-agent, which only prints what it was given.
set -eu
cd "$(dirname "$0")"

if ! command -v tmux >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux
fi

cargo install --locked --quiet --path .
cxs="${CARGO_HOME:-$HOME/.cargo}/bin/cxs"

if [ -z "${CXS_CODEX_BIN:-}" ] && ! command -v codex >/dev/null 2>&1; then
    CXS_CODEX_BIN="$PWD/tests/fake-agent"
    export CXS_CODEX_BIN
    echo "codex is not installed: starting the stand-in agent $CXS_CODEX_BIN"
fi

id=$("$cxs" new exec --skip-git-repo-check "Say hello and describe this directory in one line.")
"$cxs" list
echo
echo "Started session '$id'. Next: 'cxs logs -f $id', 'cxs attach $id', 'cxs delete $id'"
echo "(cxs is in $(dirname "$cxs"); add it to PATH if it is not there yet)"
