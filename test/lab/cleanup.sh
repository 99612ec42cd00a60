#!/usr/bin/env bash
# Tears down every lab on this machine (CI runs it last; safe when no lab exists).
# `cleanup.sh --stale` only removes labs whose owning process is gone.
exec bash "$(dirname "$0")/slots.sh" cleanup "${@:---all}"
