# SIPp (Debian's sip-tester) to drive the stack with the scenarios in test/scenarios.
FROM debian:bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends sip-tester \
  && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["/bin/sh", "/docker/sipp-smoke.sh"]
