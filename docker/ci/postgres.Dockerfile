# CI stand-in for the official `postgres` image (this machine has no container registry):
# Debian's PostgreSQL on the debootstrapped base, with an entrypoint that honours the same
# contract the compose file relies on: POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB,
# /docker-entrypoint-initdb.d/*.sql|*.sh on first start, PGDATA=/var/lib/postgresql/data,
# pg_isready on PATH. Real users run the official image; docker/compose.ci.yml selects this.
ARG BASE_IMAGE=cs224n/ci-services-base:bookworm
FROM ${BASE_IMAGE}
ENV PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh \
 && for f in /usr/lib/postgresql/*/bin/*; do ln -sf "$f" /usr/local/bin/; done \
 && mkdir -p /docker-entrypoint-initdb.d /var/run/postgresql "$PGDATA" \
 && chown -R postgres:postgres /var/run/postgresql "$PGDATA" \
 && chmod 2775 /var/run/postgresql
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
