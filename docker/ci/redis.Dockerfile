# CI stand-in for the official `redis` image (no container registry on this machine):
# Debian's redis-server on the debootstrapped base; data in /data, redis-cli on PATH, the
# server reachable from the compose network. docker/compose.ci.yml selects it.
ARG BASE_IMAGE=cs224n/ci-services-base:bookworm
FROM ${BASE_IMAGE}
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh \
 && mkdir -p /data && chown redis:redis /data
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
