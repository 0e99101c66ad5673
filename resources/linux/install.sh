#!/bin/sh
# Install AutoSync Desktop for this user, without root: the app folder, the `autosync` command, the
# applications-menu entry and the icons, all in the XDG user directories.
#
#   ./install.sh              install, or update an earlier install (quit AutoSync first)
#   ./install.sh --uninstall  remove what install.sh put there; your data, settings and logs stay
#
# Where things go (override with the environment variables on the left):
#   AUTOSYNC_APP_DIR  ~/.local/opt/autosync-desktop             the app folder (from ./autosync)
#   AUTOSYNC_BIN_DIR  ~/.local/bin                              the `autosync` command (a symlink)
#   XDG_DATA_HOME     ~/.local/share                            applications/ and icons/hicolor/ under it
set -eu

here=$(cd "$(dirname "$0")" && pwd)
app_dir=${AUTOSYNC_APP_DIR:-$HOME/.local/opt/autosync-desktop}
bin_dir=${AUTOSYNC_BIN_DIR:-$HOME/.local/bin}
case ${XDG_DATA_HOME:-} in
    /*) data_home=$XDG_DATA_HOME ;;
    *) data_home=$HOME/.local/share ;;  # unset or relative (invalid per the XDG spec)
esac
entry=$data_home/applications/autosync-desktop.desktop
icons=$data_home/icons/hicolor
exe=$app_dir/autosync

refresh_caches() {
    # Menus and icon themes pick up changes by themselves on most desktops; these only speed it up.
    touch "$icons" 2>/dev/null || true
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$data_home/applications" 2>/dev/null || true
    fi
    if [ -f "$icons/index.theme" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f "$icons" 2>/dev/null || true
    fi
}

uninstall() {
    rm -rf "$app_dir"
    if [ -L "$bin_dir/autosync" ] && [ "$(readlink "$bin_dir/autosync")" = "$exe" ]; then
        rm -f "$bin_dir/autosync"
    fi
    rm -f "$entry"
    for png in "$icons"/*/apps/autosync-desktop.png "$icons"/scalable/apps/autosync-desktop.svg; do
        [ -e "$png" ] && rm -f "$png"
    done
    autostart=${XDG_CONFIG_HOME:-$HOME/.config}/autostart/autosync-desktop.desktop
    if [ -f "$autostart" ] && grep -qF "$exe" "$autostart"; then
        rm -f "$autostart"  # "start at login" pointed at the app just removed
    fi
    refresh_caches
    echo "Removed AutoSync Desktop from $app_dir (your data in ~/.local/share/autosync-desktop is kept)."
}

if [ "${1:-}" = "--uninstall" ]; then
    uninstall
    exit 0
elif [ $# -gt 0 ]; then
    echo "usage: $0 [--uninstall]" >&2
    exit 2
fi

for need in "$here/autosync/autosync" "$here/autosync-desktop.desktop" "$here/icons/hicolor"; do
    [ -e "$need" ] || { echo "install.sh: $need is missing; run me from the unpacked tarball" >&2; exit 1; }
done
case $app_dir in
    *'"'* | *'`'* | *'$'* | *'\'*) echo "install.sh: $app_dir has a character a desktop entry cannot quote" >&2; exit 1 ;;
esac

# The app folder: copy next to the old one, then swap, so a failed copy leaves the old install working.
mkdir -p "$(dirname "$app_dir")"
rm -rf "$app_dir.new"
cp -a "$here/autosync" "$app_dir.new"
rm -rf "$app_dir"
mv "$app_dir.new" "$app_dir"

mkdir -p "$bin_dir"
ln -sfn "$exe" "$bin_dir/autosync"

# The menu entry runs the installed program by its full path: a desktop session's PATH often lacks ~/.local/bin.
mkdir -p "$(dirname "$entry")"
while IFS= read -r line; do
    case $line in
        Exec=*) printf 'Exec="%s"\n' "$exe" ;;
        TryExec=*) printf 'TryExec=%s\n' "$exe" ;;
        *) printf '%s\n' "$line" ;;
    esac
done < "$here/autosync-desktop.desktop" > "$entry.tmp"
mv "$entry.tmp" "$entry"

mkdir -p "$icons"
cp -R "$here/icons/hicolor/." "$icons/"
refresh_caches

echo "Installed AutoSync Desktop in $app_dir"
echo "  menu entry: $entry"
echo "  icons:      $icons/<size>/apps/autosync-desktop.png"
echo "  command:    $bin_dir/autosync"
case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) echo "  ($bin_dir is not on your PATH; the menu entry works anyway)" ;;
esac
echo "Start it from the applications menu (AutoSync Desktop) or with: $exe"
