#!/bin/sh
# bake-ami.sh - prepare a builder instance (Debian 12) for an AMI of memo:
# memo-setup bake (packages, build, install, the CloudWatch agent), then
# clean what an image must not carry, without any setting or secret (those
# come at boot, from the stack, SSM and Secrets Manager).
#
#   sudo sh deploy/aws/bake-ami.sh        # in a checkout or release tarball
#   aws ec2 create-image --instance-id i-… --name memo-$(date +%Y%m%d%H%M)
#
# A builder that cannot download the CloudWatch agent fails the bake (the
# image would ship no logs); `sudo env MEMO_CWAGENT_URL= sh …` bakes without
# the agent on purpose (the environment reaches memo-setup as it is).
#
# The cleanup: the build tools and -dev packages (the runtime libraries the
# installed programs link, and libmariadb3's client plugins, are kept), the
# source, every SSH authorized key and host key (cloud-init makes new ones
# on each instance), /etc/machine-id (systemd makes one at first boot),
# shell history, apt's cache and cloud-init's state (so that instances run
# their own user data).  lighttpd and memo-maint.timer are left disabled:
# an instance serves, and maintains, only after memo-setup boot configured
# it.
#
# With MEMO_ROOT_DIR set (the tests bake into a folder) nothing outside it
# changes but the packages memo-setup installs, and the purge is only
# simulated (apt-get -s): its plan is printed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${MEMO_ROOT_DIR:=}"
: "${MEMO_PREFIX:=/usr/local}"
: "${MEMO_SOURCE_DIR:=$(cd "$here/../.." && pwd)}"
export MEMO_ROOT_DIR MEMO_PREFIX MEMO_SOURCE_DIR
R=$MEMO_ROOT_DIR

log() { printf 'bake-ami: %s\n' "$*" >&2; }

sh "$here/memo-setup.sh" bake

# The packages to purge, and those to keep: what the installed programs
# load (ldd), lighttpd and the tools boot uses, libmariadb3 (its plugins
# are loaded at run time, invisible to ldd).
build=$(sh "$here/memo-setup.sh" packages build)
keep=$(sh "$here/memo-setup.sh" packages run)
for f in "$R$MEMO_PREFIX"/lib/memo/cgi-bin/*.cgi "$R$MEMO_PREFIX"/sbin/memo-maint; do
	[ -e "$f" ] || continue
	for lib in $(ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
		# dpkg knows the path its package ships (/lib, not /usr/lib).
		owner=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null) ||
			{ log "no package owns $lib"; exit 1; }
		keep="$keep ${owner%%:*}"
	done
done
# shellcheck disable=SC2086 # a list of names, one per line
keep=$(printf '%s\n' $keep | sort -u | tr '\n' ' ')
log "keeping: $keep"
if [ -z "$R" ]; then
	# shellcheck disable=SC2086 # lists of package names
	apt-mark manual $keep >/dev/null
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q --autoremove $build
else
	# "name+" keeps a package in the same transaction: the plan, unchanged.
	# shellcheck disable=SC2046,SC2086
	apt-get -s purge --autoremove $build $(printf '%s+ ' $keep)
fi

# The source, unless it is the root of the tree (a checkout in use).
if [ -f "$MEMO_SOURCE_DIR/deploy/aws/memo-setup.sh" ] && [ "$MEMO_SOURCE_DIR" != / ] &&
    [ "${MEMO_KEEP_SOURCE:-0}" != 1 ]; then
	rm -rf "$MEMO_SOURCE_DIR"
	log "removed the source $MEMO_SOURCE_DIR"
fi
rm -f "$R"/etc/ssh/ssh_host_*
for d in "$R"/root "$R"/home/*; do
	[ -d "$d" ] || continue
	rm -f "$d/.ssh/authorized_keys" "$d/.bash_history" "$d/.lesshst" "$d/.viminfo"
done
if [ -e "$R/etc/machine-id" ]; then
	: >"$R/etc/machine-id"
fi
rm -f "$R/var/lib/dbus/machine-id"
if [ -z "$R" ]; then
	systemctl disable --now lighttpd
	# make install enabled it here: the image would run it from power-on,
	# before memo-setup has written the settings and migrated (memo-setup
	# enables it when it has), and a run missed here would be made up at
	# each instance's boot (Persistent=true).
	systemctl disable --now memo-maint.timer
	rm -f /var/lib/systemd/timers/stamp-memo-maint.timer
	apt-get clean
	cloud-init clean --logs
fi
log "ready for imaging"
