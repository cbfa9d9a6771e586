#!/bin/sh
# Entrypoint of medic-test/postgres (busybox sh).
#
#   docker run medic-test/postgres                 initdb on first start, then postgres
#   docker run medic-test/postgres -c fsync=off    the same, options go to postgres
#   docker run medic-test/postgres sh -c '...'     any other command runs as is
#   docker run -e POSTGRES_WRAPPED=1 medic-test/postgres
#                                                  postgres not as PID 1 (see below)
#
# On first start (no $PGDATA/PG_VERSION) the cluster is created with trust
# authentication for everyone, locally and over TCP: a test-only image. Then
# postgres runs in the foreground as PID 1, so that `docker logs` shows its
# messages and `docker stop` (SIGINT, see the Dockerfile) shuts it down.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
	# Started with --user 0: give the data folder to postgres and continue as
	# postgres (PostgreSQL refuses to run as root).
	mkdir -p "$PGDATA" /var/run/postgresql
	chown -R postgres:postgres "$PGDATA" /var/run/postgresql
	chmod 0700 "$PGDATA"
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec su -p -s /bin/sh postgres -c 'exec "$0" "$@"' "$0" "$@"
fi

if [ "$1" = postgres ]; then
	shift
	if [ ! -s "$PGDATA/PG_VERSION" ]; then
		echo "docker-entrypoint: initializing a new cluster in $PGDATA"
		# --no-sync: a test cluster need not survive a host crash.
		initdb -D "$PGDATA" -U postgres --auth=trust --locale=C --encoding=UTF8 --no-sync
		cat >>"$PGDATA/postgresql.conf" <<-'EOF'

		# Added by medic-test/postgres's docker-entrypoint.sh
		listen_addresses = '*'
		unix_socket_directories = '/var/run/postgresql'
		# llvmjit.so is left out of the image
		jit = off
		EOF
		cat >>"$PGDATA/pg_hba.conf" <<-'EOF'

		# Added by medic-test/postgres's docker-entrypoint.sh: test-only image
		host all all all trust
		host replication all all trust
		EOF
		echo "docker-entrypoint: cluster ready, starting postgres"
	fi
	if [ "${POSTGRES_WRAPPED:-0}" != 1 ]; then
		exec postgres -D "$PGDATA" "$@"
	fi
	# POSTGRES_WRAPPED=1: postgres runs as a grandchild of this shell (PID 1),
	# as in images that start it from a wrapper script or supervisor. Postgres
	# takes a postmaster.pid naming its own PID or its parent's for stale; as
	# PID 1 it always does. Here a postmaster.pid naming PID 1 stops it with
	#   FATAL:  lock file "postmaster.pid" already exists
	#   HINT:  Is another postmaster (PID 1) running in data directory "..."?
	(
		postgres -D "$PGDATA" "$@" &
		echo "$!" >/tmp/postgres.pid
		wait "$!"
	) &
	wrapper=$!
	# As PID 1 this shell gets docker stop's signal (SIGINT): pass it on.
	trap 'kill -INT "$(cat /tmp/postgres.pid)" 2>/dev/null' INT TERM
	while :; do
		wait "$wrapper" && exit 0
		status=$?
		kill -0 "$wrapper" 2>/dev/null || exit "$status"
	done
fi

exec "$@"
