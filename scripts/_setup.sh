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
# Every install takes its versions from scripts/constraints.txt (recompile it with scripts/lock), so every run
# and CI get the same ones. The stamp holds a hash of pyproject.toml and the constraints: a change to either
# reinstalls.
constraints="$ROOT/scripts/constraints.txt"
stamp="$ROOT/.venv/.installed$EXTRAS"
wanted=$(cat "$ROOT/pyproject.toml" "$constraints" | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    "$ROOT/.venv/bin/python" -m pip install -q -c "$constraints" pip
    "$ROOT/.venv/bin/python" -m pip install -q -c "$constraints" --build-constraint "$constraints" -e "$ROOT$EXTRAS"
    echo "$wanted" > "$stamp"
fi
