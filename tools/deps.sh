#!/bin/sh
# deps.sh PKG... - install the Debian packages that are missing, once.
set -eu
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# Never let a package's maintainer script start the system MariaDB or
# lighttpd: the project runs its own, on its own sockets and ports.
# policy-rc.d answering 101 is Debian's documented way to say "start no
# service" during an install (invoke-rc.d honours it).
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
made=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	made=1
fi
cleanup() { [ -z "$made" ] || $SUDO rm -f "$policy"; }
trap cleanup EXIT
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
