#!/bin/sh
# memo-setup.sh - the steps that put memo on a Debian 12 EC2 instance.
#
#   memo-setup.sh bake    packages, build, make install (the AMI)
#   memo-setup.sh boot    write /etc/memo/memo.env, migrate, start lighttpd
#   memo-setup.sh all     bake, then boot (user data on a plain Debian AMI)
#
# bake runs from a source checkout (MEMO_SOURCE_DIR, default: the checkout
# holding this script) and installs this script as
# $MEMO_PREFIX/sbin/memo-setup, so an instance of the baked AMI only boots.
#
# memo.env's values come from SSM Parameter Store when SSM_PREFIX is set
# and the AWS CLI is installed (every parameter under the prefix whose
# last path part is a setting name, e.g. /memo/prod/DB_PASSWORD as a
# SecureString), else from variables of the same names in the environment
# (set by user-data.sh).  Settings: see memo.env.example.
#
# Paths and side effects can be redirected, for the tests and for dry runs:
#   MEMO_ROOT_DIR      install and configure under this root ("" = /)
#   MEMO_PREFIX        install prefix (/usr/local)
#   MEMO_SKIP_APT=1    install no package, download nothing
#   MEMO_SKIP_SERVICE=1  neither enable nor start lighttpd
set -eu

: "${MEMO_ROOT_DIR:=}"
: "${MEMO_PREFIX:=/usr/local}"
: "${MEMO_SKIP_APT:=0}"
: "${MEMO_SKIP_SERVICE:=0}"
: "${MEMO_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd)}"
: "${SSM_PREFIX:=}"

CONFIG=$MEMO_ROOT_DIR/etc/memo/memo.env
# Build and run time packages (no server: the database is RDS).
PACKAGES="build-essential pkg-config libmariadb-dev libcurl4-openssl-dev
  libjson-c-dev nettle-dev lighttpd mariadb-client python3 ca-certificates
  curl awscli"
# RDS's CA bundle, for DB_SSL_CA (TLS to the database, server verified).
RDS_CA_URL=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
SETTINGS="DB_HOST DB_PORT DB_SOCKET DB_DATABASE DB_USER DB_PASSWORD
  DB_CONNECT_TIMEOUT DB_READ_TIMEOUT DB_SSL_CA NAVER_CLIENT_ID
  NAVER_CLIENT_SECRET NAVER_REDIRECT_URI NAVER_AUTHORIZE_URL NAVER_TOKEN_URL
  NAVER_PROFILE_URL NAVER_CONNECT_TIMEOUT NAVER_TIMEOUT
  SESSION_MAX_AGE COOKIE_SECURE"

log() { printf 'memo-setup: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

packages() {
	if [ "$MEMO_SKIP_APT" = 1 ]; then
		log "skipping apt-get (MEMO_SKIP_APT=1)"
		return
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086 # the list is meant to split into words
	apt-get install -y -q --no-install-recommends $PACKAGES
	mkdir -p "$MEMO_ROOT_DIR/etc/memo"
	curl -fsSL -o "$MEMO_ROOT_DIR/etc/memo/rds-global-bundle.pem" "$RDS_CA_URL"
}

build_install() {
	[ -f "$MEMO_SOURCE_DIR/Makefile" ] ||
		die "no source checkout at MEMO_SOURCE_DIR=$MEMO_SOURCE_DIR"
	make -C "$MEMO_SOURCE_DIR" all
	make -C "$MEMO_SOURCE_DIR" install DESTDIR="$MEMO_ROOT_DIR" PREFIX="$MEMO_PREFIX"
	install -m 755 "$MEMO_SOURCE_DIR/deploy/aws/memo-setup.sh" \
	    "$MEMO_ROOT_DIR$MEMO_PREFIX/sbin/memo-setup"
}

is_setting() {
	for s in $SETTINGS; do
		[ "$s" != "$1" ] || return 0
	done
	return 1
}

# Values from SSM Parameter Store into shell variables of the same names.
from_ssm() {
	tab=$(printf '\t')
	params=$(aws ssm get-parameters-by-path --path "$SSM_PREFIX" \
	    --with-decryption --query 'Parameters[].[Name,Value]' --output text) ||
		die "reading SSM parameters under $SSM_PREFIX failed"
	n=0
	while IFS=$tab read -r name value; do
		key=${name##*/}
		if is_setting "$key"; then
			# The name is one of SETTINGS; the value is assigned, not run.
			eval "$key=\$value"
			n=$((n + 1))
		fi
	done <<EOF
$params
EOF
	[ "$n" -gt 0 ] || die "no memo setting under SSM path $SSM_PREFIX"
	log "$n settings from SSM $SSM_PREFIX"
}

# A value as cfg.c reads it: double quotes, \ and " escaped.
quote() {
	case $1 in
	*'
'*) die "a setting holds a line break" ;;
	esac
	printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')"
}

configure() {
	if [ -n "$SSM_PREFIX" ] && command -v aws >/dev/null 2>&1; then
		from_ssm
	else
		[ -z "$SSM_PREFIX" ] || log "no AWS CLI: settings from user data"
	fi
	[ -n "${DB_HOST:-}${DB_SOCKET:-}" ] || die "DB_HOST is not set"
	[ -n "${NAVER_CLIENT_ID:-}" ] || die "NAVER_CLIENT_ID is not set"
	mkdir -p "$(dirname "$CONFIG")"
	tmp=$(mktemp "$CONFIG.XXXXXX")
	{
		echo "# written by memo-setup at boot; edit the source of the values"
		echo "# (SSM ${SSM_PREFIX:-not used} or the user data), not this file"
		for key in $SETTINGS; do
			eval "value=\${$key-}"
			# shellcheck disable=SC2154 # set by the eval above
			[ -z "$value" ] || printf '%s=%s\n' "$key" "$(quote "$value")"
		done
	} >"$tmp"
	chmod 640 "$tmp"
	if [ "$(id -u)" = 0 ] && getent group www-data >/dev/null; then
		chgrp www-data "$tmp"
	fi
	mv "$tmp" "$CONFIG"
	log "wrote $CONFIG"
}

migrate() {
	"$MEMO_ROOT_DIR$MEMO_PREFIX/sbin/memo-migrate" --config "$CONFIG"
}

start() {
	if [ "$MEMO_SKIP_SERVICE" = 1 ]; then
		log "not starting lighttpd (MEMO_SKIP_SERVICE=1)"
		return
	fi
	# Exits non-zero when a module is already enabled: check the result.
	lighty-enable-mod memo accesslog || true
	[ -e /etc/lighttpd/conf-enabled/50-memo.conf ] || die "memo not enabled in lighttpd"
	systemctl enable lighttpd
	systemctl restart lighttpd
}

umask 022
case ${1:-} in
bake) packages; build_install ;;
boot) configure; migrate; start ;;
all) packages; build_install; configure; migrate; start ;;
*) die "usage: memo-setup.sh bake|boot|all" ;;
esac
