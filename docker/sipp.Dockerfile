# SIPp (Debian's sip-tester) for the stand-in trunk and PBX of compose.yaml.
FROM debian:12.8-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends sip-tester \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10002 sipp
USER sipp
ENTRYPOINT ["sipp"]
