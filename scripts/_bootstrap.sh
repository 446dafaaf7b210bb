# Sourced by scripts/demo and scripts/test: a local virtualenv with ioc installed.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${IOC_VENV:-$ROOT/.venv}"
PYTHON_BIN="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtualenv $VENV"
    "$PYTHON_BIN" -m venv "$VENV"
fi
stamp="$VENV/.ioc-install-stamp"
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)-${IOC_EXTRAS:-dev}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing ioc and its dependencies into $VENV"
    log="$VENV/pip-install.log"
    if ! { "$VENV/bin/python" -m pip install --quiet --upgrade pip \
           && "$VENV/bin/python" -m pip install --quiet -e "$ROOT[${IOC_EXTRAS:-dev}]"; } >"$log" 2>&1; then
        cat "$log" >&2
        echo "error: installing ioc failed (log above, kept in $log)" >&2
        exit 1
    fi
    "$VENV/bin/python" -c "import ioc, dash, psycopg" # fail loudly if the install did not work
    echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"
