#!/usr/bin/env bash
# Tears down labs on this machine; safe when no lab exists.
#   cleanup.sh            under CI (CI set): every lab — CI runs it last, when nothing else may run.
#                         otherwise: only labs whose owning process is gone (other people's and
#                         other test runs' live labs on this machine are left alone).
#   cleanup.sh --all      every lab, running or not.
#   cleanup.sh --stale    only labs whose owning process is gone.
if [ $# -eq 0 ]; then
  if [ -n "${CI:-}" ]; then set -- --all; else set -- --stale; fi
fi
exec bash "$(dirname "$0")/slots.sh" cleanup "$@"
