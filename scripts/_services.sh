# Sourced by scripts/test: start this machine's PostgreSQL, Redis and Mosquitto when they
# are installed but stopped, and install Debian's Chromium for the browser tests (as root).
# Where a server is not installed at all, the test fixtures fall back to an embedded
# PostgreSQL (pip wheel) and an in-process MQTT broker.

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # port, name
    for _ in $(seq 1 30); do listening "$1" && return 0; sleep 0.5; done
    echo "warning: $2 did not start listening on port $1" >&2
}

if ! listening 5432 && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "==> starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    wait_for 5432 PostgreSQL
fi
if ! listening 6379 && command -v redis-server >/dev/null 2>&1; then
    echo "==> starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    wait_for 6379 Redis
fi
if ! listening 1883 && command -v mosquitto >/dev/null 2>&1; then
    echo "==> starting Mosquitto"
    if [ -f /etc/mosquitto/mosquitto.conf ]; then
        mosquitto -d -c /etc/mosquitto/mosquitto.conf || true
    else
        mosquitto -d -p 1883 || true
    fi
    wait_for 1883 Mosquitto
fi

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian's chromium for the browser tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
