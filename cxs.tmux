#!/usr/bin/env bash
# The entry point tmux's plugin manager (TPM) runs: sources cxs's key bindings and status
# segment (`cxs tmux-conf`) into the server it runs in. `set -g @cxs-key KEY` picks the key
# after the prefix (default a). Needs `cxs` on tmux's PATH.
set -euo pipefail
if ! command -v cxs >/dev/null 2>&1; then
    tmux display-message "cxs: not found on PATH (install it, then reload tmux.conf)"
    exit 0
fi
key=$(tmux show-option -gqv @cxs-key)
conf=$(mktemp "${TMPDIR:-/tmp}/cxs-tmux.XXXXXX")
trap 'rm -f "$conf"' EXIT
cxs tmux-conf --key "${key:-a}" >"$conf"
tmux source-file "$conf"
