#!/usr/bin/env bash
# The call router's integration tests (test/router) and the SIP server's
# (test/sipstack/integration) again, against the
# servers the environment names:
#   DIALTONE_TEST_DRACHTIO=host:port:secret   a real drachtio-server (admin port and secret)
#   DIALTONE_TEST_FREESWITCH=host:port:secret FreeSWITCH's event socket (media on FreeSWITCH;
#     test/media/freeswitch runs in the main vitest run when this is set)
# One engine at a time is connected to a named server (a drachtio-server
# hands each new INVITE to any connected application), so these run one
# file and one test at a time. A variant the environment does not name is
# reported as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
if [ -n "${DIALTONE_TEST_DRACHTIO:-}" ]; then
  echo "call router tests against drachtio-server at ${DIALTONE_TEST_DRACHTIO%%:*}:$(echo "$DIALTONE_TEST_DRACHTIO" | cut -d: -f2)"
  DIALTONE_TEST_VARIANT=drachtio npx vitest run test/router --no-file-parallelism --maxConcurrency=1 || status=$?
  # The SIP server's own integration tests, the same way; the drachtio-server must take UDP
  # and TCP on one port and run with the tests' short timers (<timers> t1 50, t2 500, t4 500).
  echo "SIP server integration tests against drachtio-server"
  DIALTONE_TEST_VARIANT=drachtio npx vitest run test/sipstack/integration --no-file-parallelism --maxConcurrency=1 || status=$?
else
  echo "skipped: call router tests against a real drachtio-server (set DIALTONE_TEST_DRACHTIO=host:port:secret)"
fi
if [ -n "${DIALTONE_TEST_FREESWITCH:-}" ]; then
  echo "call router tests with FreeSWITCH media at ${DIALTONE_TEST_FREESWITCH%%:*}:$(echo "$DIALTONE_TEST_FREESWITCH" | cut -d: -f2)"
  DIALTONE_TEST_VARIANT=freeswitch npx vitest run test/router --no-file-parallelism --maxConcurrency=1 || status=$?
else
  echo "skipped: call router tests with FreeSWITCH media (set DIALTONE_TEST_FREESWITCH=host:port:secret)"
fi
if [ -n "${DIALTONE_TEST_DRACHTIO:-}" ] && [ -n "${DIALTONE_TEST_FREESWITCH:-}" ]; then
  echo "call router tests with drachtio-server and FreeSWITCH together (the production shape)"
  DIALTONE_TEST_VARIANT=drachtio,freeswitch npx vitest run test/router --no-file-parallelism --maxConcurrency=1 || status=$?
fi
exit "$status"
