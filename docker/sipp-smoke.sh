#!/bin/sh
# Calls the stack as a SIP trunk would: each call is answered by the demo
# application (a <Say>, then <Hangup/>), so SIPp sees 200 OK, then the
# engine's BYE. Set CALLS and RATE to load it harder.
set -eu
target="${SIP_TARGET:-127.0.0.1:5060}"
calls="${CALLS:-5}"
rate="${RATE:-1}"
echo "sipp: ${calls} calls to ${target} (router-uac-answered.xml)"
exec sipp "$target" -sf /scenarios/router-uac-answered.xml -s hello \
  -key rtp_port 6000 -key rtcp_port 6001 \
  -m "$calls" -r "$rate" -l 10 -timeout 60s -timeout_error -trace_stat -nostdin
