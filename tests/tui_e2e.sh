#!/usr/bin/env bash
# End-to-end check of the explorer as a user drives it: start the release binary on the demo
# bundle inside tmux, open the Conflicts tab, move to a conflict, read the winning issuer and the
# reason from the screen, quit, and check that the terminal was restored.
#
# Usage: tests/tui_e2e.sh [PATH_TO_EVX]   (default target/release/evx; needs tmux)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/release/evx}
session="evx-e2e-$$"
pane="$session:0.0"

if ! command -v tmux >/dev/null; then
    echo "tui_e2e: tmux not installed; skipping"
    exit 0
fi
[ -x "$bin" ] || { echo "tui_e2e: $bin not built" >&2; exit 2; }

cleanup() { tmux kill-session -t "$session" 2>/dev/null || true; }
trap cleanup EXIT

fail() {
    echo "tui_e2e: FAIL: $1" >&2
    echo "---- screen ----" >&2
    tmux capture-pane -p -t "$pane" >&2 || true
    exit 1
}

# Waits up to 10 s for the screen to contain a string.
wait_for() {
    for _ in $(seq 1 100); do
        if tmux capture-pane -p -t "$pane" | grep -qF -- "$1"; then return 0; fi
        sleep 0.1
    done
    fail "timed out waiting for: $1"
}

tmux new-session -d -s "$session" -x 120 -y 40 "bash --norc --noprofile"
tmux send-keys -t "$pane" "stty sane; clear; $bin assets/demo; echo EVX_EXIT=\$?" Enter

wait_for "1 Overview"
wait_for "Root digest"
tmux send-keys -t "$pane" 3
wait_for "Decisions"
# The first conflict is selected; move to the second (the vendor's own revision, rule timestamp).
tmux send-keys -t "$pane" j
wait_for "Candidates — CVE-2026-10002"

screen=$(tmux capture-pane -p -t "$pane")
winner=$(grep -F "▶" <<<"$screen" | head -1)
reason=$(grep -F "Why:" <<<"$screen" | head -1)
grep -qF "Acme Payments PSIRT" <<<"$winner" || fail "winning issuer is not Acme Payments PSIRT: $winner"
grep -qF "affected" <<<"$winner" || fail "winner's status missing: $winner"
grep -qF "supersedes 1 older statement" <<<"$reason" || fail "reason does not say why: $reason"
echo "tui_e2e: winner: $(sed 's/  */ /g' <<<"$winner")"
echo "tui_e2e: $(sed 's/  */ /g' <<<"$reason")"

tmux send-keys -t "$pane" q
wait_for "EVX_EXIT=0"
# Back on the main screen in cooked mode: the shell echoes and reads lines again.
tmux send-keys -t "$pane" "stty -a | tr ' ' '\n' | grep -x -e icanon -e echo | tr '\n' ' '; echo STTY_DONE" Enter
wait_for "STTY_DONE"
modes=$(tmux capture-pane -p -t "$pane" | grep -F "icanon" | tail -1)
grep -qw "icanon" <<<"$modes" && grep -qw "echo" <<<"$modes" || fail "terminal not restored (stty: $modes)"
tmux capture-pane -p -t "$pane" | grep -qF "Decisions" && fail "the explorer's screen is still shown after quitting"
echo "tui_e2e: 1 passed, 0 failed"
