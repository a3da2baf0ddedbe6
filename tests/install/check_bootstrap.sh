#!/usr/bin/env bash
# The README's Quick start on a bare image: its first command must not need make (a bare
# debian:bookworm or ubuntu:24.04 has none) and must install make with the rest. Run here with
# dpkg-query saying nothing is installed, apt-get recording what it is asked for, and a make
# that fails loudly if anything calls it.
#   tests/install/check_bootstrap.sh SOURCE_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The first command of the README's first sh block under "## Quick start".
first=$(awk '/^## Quick start/{q=1} q&&/^```sh/{b=1;next} b&&/^```/{exit} b&&NF{print;exit}' "$src/README.md")
first=${first%%#*}
first=$(echo "$first" | sed 's/[[:space:]]*$//')
echo "README's first command: $first"
case "$first" in
  make*|*" make "*) echo "the first command is make's: a bare image has no make"; exit 1 ;;
esac

mkdir "$work/bin"
cat >"$work/bin/dpkg-query" <<'STUB'
#!/bin/sh
exit 1
STUB
cat >"$work/bin/apt-get" <<STUB
#!/bin/sh
echo "\$*" >>"$work/apt-get.calls"
STUB
cat >"$work/bin/make" <<STUB
#!/bin/sh
echo "make \$*" >>"$work/make.calls"
exit 127
STUB
cat >"$work/bin/sudo" <<'STUB'
#!/bin/sh
exec "$@"
STUB
chmod +x "$work/bin/"*

(cd "$src" && PATH="$work/bin:$PATH" bash -c "$first")
if [ -e "$work/make.calls" ]; then
  echo "the first command called make:"; cat "$work/make.calls"; exit 1
fi
echo "apt-get was asked:"; cat "$work/apt-get.calls"
grep -q "^update" "$work/apt-get.calls" || { echo "no apt-get update (a bare image has no package lists)"; exit 1; }
install=$(grep "^install" "$work/apt-get.calls")
for p in make g++ cmake ninja-build pkg-config libcli11-dev; do
  [[ " $install " == *" $p "* ]] || { echo "apt-get install lacks $p"; exit 1; }
done
echo "ok: the first command installs make and the build tools without make"
