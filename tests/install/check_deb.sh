#!/usr/bin/env bash
# Builds the .deb of a configured build tree with CPack, unpacks it into a scratch root and
# runs what it installed from there: dfuhost and the dfuh-cli link, with the man page, the
# three completions and the udev rules where a Debian system looks for them.
#   tests/install/check_deb.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
if ! command -v dpkg-deb >/dev/null; then
  echo "SKIPPED: dpkg-deb not found (Debian's dpkg); the .deb cannot be built or unpacked here"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/*.deb)
echo "built $(basename "$deb")"
dpkg-deb --info "$deb" | grep -E "Package|Version|Depends"
dpkg-deb -x "$deb" "$work/root"

root=$work/root
fail=0
for f in usr/bin/dfuhost usr/share/man/man1/dfuhost.1 usr/lib/udev/rules.d/60-dfuhost.rules \
         usr/share/bash-completion/completions/dfuhost usr/share/zsh/vendor-completions/_dfuhost \
         usr/share/fish/vendor_completions.d/dfuhost.fish; do
  [ -f "$root/$f" ] || { echo "missing in the .deb: /$f"; fail=1; }
done
[ "$(readlink "$root/usr/bin/dfuh-cli")" = dfuhost ] || { echo "/usr/bin/dfuh-cli is not a link to dfuhost"; fail=1; }
version=$("$root/usr/bin/dfuhost" --version)
echo "dfuhost --version: $version"
[[ "$version" == "dfuhost "* ]] || fail=1
cli_version=$("$root/usr/bin/dfuh-cli" --version)
echo "dfuh-cli --version: $cli_version"
[ "$cli_version" = "$version" ] || fail=1
# dfuh-cli is dfuh-cli there: its own options are taken, dfuhost's commands are not.
"$root/usr/bin/dfuh-cli" --help | grep -q -- "--program-device" || { echo "dfuh-cli --help lacks --program-device"; fail=1; }
grep -q "complete -o filenames -o bashdefault -F _dfuhost dfuhost" "$root/usr/share/bash-completion/completions/dfuhost" ||
  { echo "the bash completion is not dfuhost's"; fail=1; }
exit $fail
