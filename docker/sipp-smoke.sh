#!/bin/sh
# Calls the stack as a SIP trunk would: each call is answered by the demo
# application (a <Say>, then <Hangup/>), so SIPp sees 200 OK, then the
# engine's BYE. Set CALLS, RATE (calls a second) and LIMIT (calls at once)
# to load it harder.
set -eu
target="${SIP_TARGET:-127.0.0.1:5060}"
calls="${CALLS:-5}"
rate="${RATE:-1}"
limit="${LIMIT:-10}"
echo "sipp: ${calls} calls to ${target}, ${rate}/s, at most ${limit} at once (router-uac-answered.xml)"
exec sipp "$target" -sf /scenarios/router-uac-answered.xml -s hello \
  -key rtp_port 6000 -key rtcp_port 6001 \
  -m "$calls" -r "$rate" -l "$limit" -timeout 600s -timeout_error -trace_stat -nostdin
