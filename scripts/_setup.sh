# Shared by scripts/run, scripts/test and scripts/build: system packages (as root, when missing) and the .venv.
# Sourced, not executed. Expects $ROOT (the repository) and $EXTRAS ("", "[test]" or "[build]").
set -euo pipefail

need_apt=()
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "Installing system packages: ${need_apt[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
    else
        echo "Missing system packages: ${need_apt[*]} (run as root, or: sudo apt-get install ${need_apt[*]})" >&2
    fi
fi

PY=${PYTHON:-python3}
if [ ! -x "$ROOT/.venv/bin/python" ]; then
    echo "Creating $ROOT/.venv"
    "$PY" -m venv "$ROOT/.venv"
fi
stamp="$ROOT/.venv/.installed$EXTRAS"
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    "$ROOT/.venv/bin/python" -m pip install -q --upgrade pip
    "$ROOT/.venv/bin/python" -m pip install -q -e "$ROOT$EXTRAS"
    touch "$stamp"
fi
