#!/bin/sh
# memo-setup.sh - the steps that put memo on a Debian 12 EC2 instance.
#
#   memo-setup.sh bake    packages, build, make install, the CloudWatch agent
#                         (bake-ami.sh runs this, then cleans up for imaging);
#                         a bake that cannot download the agent fails, before
#                         it builds: MEMO_CWAGENT_URL= bakes without it
#   memo-setup.sh boot    the CloudWatch agent, settings, database users,
#                         migrations, lighttpd, a local health check, the
#                         balancer's verdict, then the signal to
#                         CloudFormation (the stack's user data runs this)
#   memo-setup.sh all     bake, then boot (a plain Debian instance)
#   memo-setup.sh packages build|run   the Debian packages of each kind
#
# bake runs from a source checkout (MEMO_SOURCE_DIR, default: the checkout
# holding this script) and installs this script as
# $MEMO_PREFIX/sbin/memo-setup, so an instance of the baked AMI only boots.
#
# Settings (memo.env.example) come from the environment (the user data),
# then, when set:
#   SSM_PREFIX               every parameter under this SSM path whose last
#                            part is a setting name (/memo/prod/DB_HOST)
#   NAVER_CLIENT_ID_SSM, NAVER_CLIENT_SECRET_SSM
#                            SSM parameters holding those two settings
#   DB_APP_SECRET, DB_MIGRATE_SECRET
#                            Secrets Manager secrets ({"username", "password"})
#                            of the application user (written to memo.env,
#                            which the CGIs read) and of the migration user
#                            (to /etc/memo/migrate.env, root only)
#   DB_CREATE_USERS=true, DB_INSTANCE_ID
#                            create or update those two users first, as the
#                            master user of that RDS instance (its secret is
#                            the one RDS manages)
# and how the instance serves:
#   MEMO_MODE                cgi (default) or fastcgi (MEMO_FCGI_PROCS)
#   MEMO_FORWARDERS          comma-separated CIDR blocks of the balancer:
#                            the only addresses X-Forwarded-For/-Proto are
#                            believed from (lighttpd's mod_extforward)
#   MEMO_DB_WAIT             seconds to keep retrying the database at boot
#                            (600): a failover or a reboot of RDS
#   MEMO_MIGRATE_TIMEOUT     seconds memo-migrate may take at boot, its wait
#                            for the migration lock included (420); past
#                            them it is stopped and the boot fails
#   MEMO_INDEX_SECONDS       seconds of it that memo-maint index may take
#                            (60): memos older than migration 003 get their
#                            search copy and tags; what is left, the hourly
#                            memo-maint run finishes (a first roll-out onto a
#                            large table must not fail every boot on them)
#   MEMO_TARGET_GROUP        the balancer's target group (its ARN): SUCCESS
#                            only once the balancer sees this instance
#                            healthy, for at most MEMO_BALANCER_WAIT (90 s)
#   MEMO_STACK, MEMO_SIGNAL_RESOURCE
#                            the stack and the group to signal SUCCESS or
#                            FAILURE to; on FAILURE the instance also marks
#                            itself unhealthy, so the group replaces it
#
# For the tests and dry runs:
#   MEMO_ROOT_DIR      install and configure under this root ("" = /); then
#                      nothing outside it changes but the packages installed,
#                      and the AMI cleanup's package purge is only simulated
#   MEMO_PREFIX        install prefix (/usr/local)
#   MEMO_RDS_CA_URL, MEMO_CWAGENT_URL   where those downloads come from
#                      (MEMO_CWAGENT_URL= , empty, bakes without the
#                      CloudWatch agent on purpose: the only way to, since
#                      one that cannot be downloaded fails the bake)
#   MEMO_CWAGENT_CTL   the CloudWatch agent's amazon-cloudwatch-agent-ctl
#                      (the image's, under /opt/aws)
#   MEMO_LOG_FLUSH     seconds a failed boot gives the agent to send its
#                      log before signalling FAILURE (10)
#   MEMO_HEALTH_URL    the local server (http://127.0.0.1/)
#   MEMO_HEALTH_WAIT   seconds the local health check may take in all (60)
#   MEMO_BALANCER_POLL seconds between two asks of the balancer (5)
#   MEMO_MASTER_TIMEOUT  seconds the master user's statements may take (60)
#   MEMO_INSTANCE_ID   instead of asking the instance metadata service
#   MEMO_IMDS_URL      the instance metadata service
#                      (http://169.254.169.254/latest)
#   MEMO_APT_MAX_AGE   minutes the package lists stay fresh enough (60)
set -eu

: "${MEMO_ROOT_DIR:=}"
: "${MEMO_PREFIX:=/usr/local}"
: "${MEMO_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd)}"
: "${MEMO_RDS_CA_URL=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem}"
: "${MEMO_CWAGENT_URL=https://amazoncloudwatch-agent.s3.amazonaws.com/debian/amd64/latest/amazon-cloudwatch-agent.deb}"
: "${MEMO_CWAGENT_KEY_URL:=https://amazoncloudwatch-agent.s3.amazonaws.com/assets/amazon-cloudwatch-agent.gpg}"
: "${MEMO_APT_MAX_AGE:=60}"
: "${MEMO_MODE:=cgi}"
: "${MEMO_FCGI_PROCS:=4}"
: "${MEMO_FORWARDERS:=}"
: "${MEMO_DB_WAIT:=600}"
: "${MEMO_DB_RETRY:=10}"
: "${MEMO_MIGRATE_TIMEOUT:=420}"
: "${MEMO_INDEX_SECONDS:=60}"
: "${MEMO_MASTER_TIMEOUT:=60}"
: "${MEMO_HEALTH_URL:=http://127.0.0.1/}"
: "${MEMO_HEALTH_WAIT:=60}"
: "${MEMO_TARGET_GROUP:=}"
: "${MEMO_BALANCER_WAIT:=90}"
: "${MEMO_BALANCER_POLL:=5}"
: "${MEMO_IMDS_URL:=http://169.254.169.254/latest}"
: "${MEMO_STACK:=}"
: "${MEMO_CWAGENT_CTL:=${MEMO_ROOT_DIR}/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl}"
: "${MEMO_LOG_FLUSH:=10}"
: "${MEMO_SIGNAL_RESOURCE:=Group}"
# Every aws call retries AWS's passing errors (throttling, a 5xx, a
# connection dropped) six times with backoff: the reads of SSM, Secrets
# Manager and RDS fail the boot at once, and with it a roll-out.
: "${AWS_RETRY_MODE:=standard}" "${AWS_MAX_ATTEMPTS:=6}"
export AWS_RETRY_MODE AWS_MAX_ATTEMPTS
: "${SSM_PREFIX:=}"
: "${DB_CREATE_USERS:=false}"

R=$MEMO_ROOT_DIR
ETC=$R/etc/memo
CONFIG=$ETC/memo.env
MIGRATE_CONFIG=$ETC/migrate.env
LIGHTTPD=$R/etc/lighttpd
SHARE=$R$MEMO_PREFIX/share/memo
# What building memo needs (the Makefile's DEPS less the test tools);
# bake-ami.sh purges these from the image.
BUILD_PACKAGES="build-essential pkg-config libmariadb-dev libssl-dev zlib1g-dev
  libcurl4-openssl-dev libjson-c-dev nettle-dev libfcgi-dev libunistring-dev"
# What an instance runs.  libmariadb3 holds the client plugins libmariadb
# loads at run time: caching_sha2_password, MySQL 8.4's default login.
RUN_PACKAGES="lighttpd mariadb-client libmariadb3 python3 ca-certificates curl
  awscli gnupg"
# The AWS key signing the CloudWatch agent package (AWS's documentation).
CWAGENT_KEY_FPR=937616F3450B7D806CBD9725D58167303B789C72
SETTINGS="DB_HOST DB_PORT DB_SOCKET DB_DATABASE DB_USER DB_PASSWORD
  DB_CONNECT_TIMEOUT DB_READ_TIMEOUT DB_SSL_CA NAVER_CLIENT_ID
  NAVER_CLIENT_SECRET NAVER_REDIRECT_URI NAVER_AUTHORIZE_URL NAVER_TOKEN_URL
  NAVER_PROFILE_URL NAVER_CONNECT_TIMEOUT NAVER_TIMEOUT NAVER_CA_FILE
  SESSION_MAX_AGE COOKIE_SECURE TRASH_DAYS"
DB_SETTINGS="DB_HOST DB_PORT DB_SOCKET DB_DATABASE DB_USER DB_PASSWORD
  DB_CONNECT_TIMEOUT DB_SSL_CA"

log() { printf 'memo-setup: %s\n' "$*" >&2; }
# The words of a list, on one line.
words() {
	# shellcheck disable=SC2086 # splitting is the point
	echo $1
}
die() { log "$*"; exit 1; }

# ---- bake ----

# apt-get update only when the lists are older than MEMO_APT_MAX_AGE.
apt_update() {
	if [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Release' \
	    -mmin "-$MEMO_APT_MAX_AGE" 2>/dev/null | head -n 1)" ]; then
		log "package lists are fresh: no apt-get update"
	else
		apt-get update -q
	fi
}

packages() {
	export DEBIAN_FRONTEND=noninteractive
	apt_update
	# No service starts while baking (lighttpd serves once boot has
	# configured it): Debian's policy-rc.d answering 101.
	made=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made=1
	fi
	# shellcheck disable=SC2086 # the lists are meant to split into words
	apt-get install -y -q --no-install-recommends $BUILD_PACKAGES $RUN_PACKAGES ||
		{ [ -z "$made" ] || rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
	[ -z "$made" ] || rm -f /usr/sbin/policy-rc.d
	mkdir -p "$ETC"
	curl -fsSL --retry 3 -o "$ETC/rds-global-bundle.pem" "$MEMO_RDS_CA_URL" ||
		die "cannot fetch RDS's CA bundle from $MEMO_RDS_CA_URL"
	cloudwatch_agent
}

# AWS's CloudWatch agent package, its signature checked against AWS's key.
# A builder that cannot download it fails the bake: an image without the
# agent ships no logs, and the stack's log-based alarms could never
# fire.  MEMO_CWAGENT_URL= (empty) leaves it out on purpose.
cloudwatch_agent() {
	if [ -z "$MEMO_CWAGENT_URL" ]; then
		log "CloudWatch agent: not installed (MEMO_CWAGENT_URL is empty)"
		return
	fi
	d=$(mktemp -d)
	if ! curl -fsSL --retry 2 -o "$d/agent.deb" "$MEMO_CWAGENT_URL" ||
	    ! curl -fsSL -o "$d/agent.deb.sig" "$MEMO_CWAGENT_URL.sig" ||
	    ! curl -fsSL -o "$d/agent.gpg" "$MEMO_CWAGENT_KEY_URL"; then
		rm -rf "$d"
		log "CloudWatch agent: cannot download $MEMO_CWAGENT_URL (or its .sig," \
		    "or the key $MEMO_CWAGENT_KEY_URL): the bake stops, as an image" \
		    "without the agent ships no logs"
		die "to bake without the CloudWatch agent on purpose, set MEMO_CWAGENT_URL" \
		    "empty: sudo env MEMO_CWAGENT_URL= sh deploy/aws/bake-ami.sh"
	fi
	export GNUPGHOME="$d/gnupg"
	mkdir -m 700 "$GNUPGHOME"
	gpg -q --import "$d/agent.gpg" 2>/dev/null
	fpr=$(gpg --with-colons --fingerprint 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
	[ "$fpr" = "$CWAGENT_KEY_FPR" ] || die "CloudWatch agent: unexpected signing key $fpr"
	gpg -q --verify "$d/agent.deb.sig" "$d/agent.deb" 2>/dev/null ||
		die "CloudWatch agent: bad signature"
	dpkg -i "$d/agent.deb"
	unset GNUPGHOME
	rm -rf "$d"
}

build_install() {
	[ -f "$MEMO_SOURCE_DIR/Makefile" ] ||
		die "no source checkout at MEMO_SOURCE_DIR=$MEMO_SOURCE_DIR"
	make -C "$MEMO_SOURCE_DIR" all
	make -C "$MEMO_SOURCE_DIR" install DESTDIR="$R" PREFIX="$MEMO_PREFIX"
	install -m 755 "$MEMO_SOURCE_DIR/deploy/aws/memo-setup.sh" "$R$MEMO_PREFIX/sbin/memo-setup"
	install -d "$SHARE/aws"
	install -m 644 "$MEMO_SOURCE_DIR/deploy/aws/cloudwatch-agent.json" \
	    "$MEMO_SOURCE_DIR/deploy/aws/lighttpd-instance.conf" "$SHARE/aws/"
}

# ---- boot: settings ----

is_setting() {
	for s in $SETTINGS; do
		[ "$s" != "$1" ] || return 0
	done
	return 1
}

from_ssm() {
	params=$(aws ssm get-parameters-by-path --path "$SSM_PREFIX" \
	    --with-decryption --query 'Parameters[].[Name,Value]' --output text) ||
		die "reading SSM parameters under $SSM_PREFIX failed"
	tab=$(printf '\t')
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

# The Naver credentials from the SSM parameters the stack names.
naver_from_ssm() {
	id=${NAVER_CLIENT_ID_SSM:-}
	secret=${NAVER_CLIENT_SECRET_SSM:-}
	[ -n "$id$secret" ] || return 0
	[ -n "$id" ] || die "NAVER_CLIENT_ID_SSM is not set"
	[ -n "$secret" ] || die "NAVER_CLIENT_SECRET_SSM is not set"
	params=$(aws ssm get-parameters --names "$id" "$secret" --with-decryption \
	    --query 'Parameters[].[Name,Value]' --output text) ||
		die "reading SSM parameters $id, $secret failed"
	tab=$(printf '\t')
	while IFS=$tab read -r name value; do
		case $name in
		"$id") NAVER_CLIENT_ID=$value ;;
		"$secret") NAVER_CLIENT_SECRET=$value ;;
		esac
	done <<EOF
$params
EOF
	[ -n "${NAVER_CLIENT_ID:-}" ] || die "SSM has no value for $id"
	[ -n "${NAVER_CLIENT_SECRET:-}" ] || die "SSM has no value for $secret"
}

# A Secrets Manager secret's "username" and "password", as two words.
# With "master" (RDS's own secret, whose password RDS makes and rotates:
# any printable character but / " @), the password may hold ' and \ and
# comes with \ doubled, for the option file only it goes into.
secret_user() {
	aws secretsmanager get-secret-value --secret-id "$1" --query SecretString \
	    --output text | python3 -c '
import json, re, sys
s = json.load(sys.stdin)
u, p = s.get("username", ""), s.get("password", "")
master = sys.argv[1:] == ["master"]
# Ours go into SQL and option files: plain words, no quote or backslash.
if not re.fullmatch("[A-Za-z0-9_]{1,32}", u) or not re.fullmatch("[!-~]{8,128}", p) \
        or any(c in ("\x22" if master else "\x22\x27\x5c") for c in p):
    sys.exit("the secret needs a plain username and a password without quotes")
print(u, p.replace("\x5c", "\x5c\x5c") if master else p)' "$2"
}

# secret_pair VAR1 VAR2 SECRET [master]: the secret's username and password
# into the two variables.
secret_pair() {
	pair=$(secret_user "$3" "${4:-}") || die "reading the secret $3 failed"
	# Split into two words, never globbed: a password may hold * or ?.
	set -f
	# shellcheck disable=SC2086 # two words
	set -- "$1" "$2" $pair
	set +f
	[ $# -eq 4 ] || die "the secret has no username and password"
	eval "$1=\$3 $2=\$4"
}

# A value as cfg.c reads it: double quotes, \ and " escaped (write_env
# has refused a line break: a die in here, run in $(...), would only end
# that subshell, and the setting would be written empty).
quote() {
	printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')"
}

# write FILE MODE KEYS...: the settings named, as a dotenv file.
write_env() {
	file=$1
	mode=$2
	shift 2
	cr=$(printf '\r')
	for key in "$@"; do
		eval "value=\${$key-}"
		case $value in
		*'
'* | *"$cr"*) die "setting $key holds a line break" ;;
		esac
	done
	mkdir -p "$(dirname "$file")"
	tmp=$(mktemp "$file.XXXXXX")
	{
		echo "# written by memo-setup at boot; edit the source of the values"
		echo "# (the stack, SSM or Secrets Manager), not this file"
		for key in "$@"; do
			eval "value=\${$key-}"
			# shellcheck disable=SC2154 # set by the eval above
			[ -z "$value" ] || printf '%s=%s\n' "$key" "$(quote "$value")"
		done
	} >"$tmp"
	chmod "$mode" "$tmp"
	mv "$tmp" "$file"
}

configure() {
	if [ -n "$SSM_PREFIX" ]; then
		from_ssm
	fi
	naver_from_ssm
	[ -n "${DB_HOST:-}${DB_SOCKET:-}" ] || die "DB_HOST is not set"
	[ -n "${NAVER_CLIENT_ID:-}" ] || die "NAVER_CLIENT_ID is not set"
	[ -z "${DB_MIGRATE_SECRET:-}" ] ||
		secret_pair MIGRATE_USER MIGRATE_PASSWORD "$DB_MIGRATE_SECRET"
	[ -z "${DB_APP_SECRET:-}" ] || secret_pair DB_USER DB_PASSWORD "$DB_APP_SECRET"
	# The migrations run as the migration user (DDL); the CGIs, which face
	# the internet, as the application user (rows only).
	app_user=${DB_USER:-} app_password=${DB_PASSWORD:-}
	DB_USER=${MIGRATE_USER:-$app_user} DB_PASSWORD=${MIGRATE_PASSWORD:-$app_password}
	# shellcheck disable=SC2086 # a list of names
	write_env "$MIGRATE_CONFIG" 600 $DB_SETTINGS
	DB_USER=$app_user DB_PASSWORD=$app_password
	# shellcheck disable=SC2086
	write_env "$CONFIG" 640 $SETTINGS
	if [ "$(id -u)" = 0 ] && getent group www-data >/dev/null; then
		chgrp www-data "$CONFIG"
	fi
	log "wrote $CONFIG and $MIGRATE_CONFIG"
}

# ---- boot: database ----

# The mariadb client as the RDS master user (from the secret RDS manages),
# reading SQL on stdin.
as_master() {
	arn=$(aws rds describe-db-instances --db-instance-identifier "$DB_INSTANCE_ID" \
	    --query 'DBInstances[0].MasterUserSecret.SecretArn' --output text) ||
		return 1
	master_user='' master_password=''
	secret_pair master_user master_password "$arn" master
	# Checked: this runs in the until's condition, where set -e does not
	# stop a failure, and an empty d would put the password in /.
	d=$(mktemp -d) || return 1
	umask 077
	{
		echo "[client]"
		echo "user=$master_user"
		# printf, not echo: dash's echo would undo the \ doubling
		# (\\ -> \), and the client would then read \n, \t, \s, \' or
		# \\ in the password as an escape.
		printf 'password="%s"\n' "$master_password"
		echo "host=\"$DB_HOST\""
		echo "port=${DB_PORT:-3306}"
		echo "protocol=TCP"
		echo "connect-timeout=10"
		[ -z "${DB_SSL_CA:-}" ] || printf 'ssl-ca="%s"\nssl-verify-server-cert\n' "$DB_SSL_CA"
	} >"$d/master.cnf"
	umask 022
	chmod 600 "$d/master.cnf"
	rc=0
	# Bounded as memo-migrate is (the client has no read timeout): a
	# database lost in the middle would hold the boot to the signal's
	# timeout.  A few statements: MEMO_MASTER_TIMEOUT (60 s) is plenty.
	timeout -k 5 "$MEMO_MASTER_TIMEOUT" mariadb --defaults-extra-file="$d/master.cnf" --batch || rc=$?
	rm -rf "$d"
	case $rc in
	124 | 137) log "the master user's statements did not finish in ${MEMO_MASTER_TIMEOUT}s: stopped" ;;
	esac
	return $rc
}

# The migration user (the schema: CREATE, ALTER, INDEX, REFERENCES; and rows,
# for memo-maint index after a migration) and the application user (rows
# only), with the passwords of their secrets.  Run at every boot while
# DB_CREATE_USERS is true: it also resets the passwords to the secrets'.
db_users() {
	[ "$DB_CREATE_USERS" = true ] && [ -n "${DB_INSTANCE_ID:-}" ] || return 0
	db=${DB_DATABASE:-memo}
	case $db in *[!A-Za-z0-9_]* | '') die "DB_DATABASE must be a plain name" ;; esac
	tls=
	[ -z "${DB_SSL_CA:-}" ] || tls=" REQUIRE SSL"
	mu='' mp='' au='' ap=''
	secret_pair mu mp "$DB_MIGRATE_SECRET"
	secret_pair au ap "$DB_APP_SECRET"
	as_master <<SQL || return 1
CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$mu'@'%' IDENTIFIED BY '$mp'$tls;
ALTER USER '$mu'@'%' IDENTIFIED BY '$mp'$tls;
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, REFERENCES ON \`$db\`.* TO '$mu'@'%';
CREATE USER IF NOT EXISTS '$au'@'%' IDENTIFIED BY '$ap'$tls;
ALTER USER '$au'@'%' IDENTIFIED BY '$ap'$tls;
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$db\`.* TO '$au'@'%';
SQL
	log "database users $mu (migrations) and $au (the CGIs) are set"
}

# memo-migrate, bounded.  The mariadb client it drives has a connect
# timeout but no read timeout (MariaDB 10.11's client knows none), so a
# database that fails over in the middle of a migration can leave it
# waiting on a dead connection until CloudFormation's 25-minute signal
# timeout, with nothing in the log.  MEMO_MIGRATE_TIMEOUT, 420 s: the lock
# wait (--lock-timeout 300, spent only while another instance migrates)
# and 2 minutes of migrations, or 7 minutes of them when the lock is free.
# The budget (memo.yaml): the database wait's last try may start just
# before MEMO_DB_WAIT (600 s, 601 in whole seconds), so 601 + 65 (as_master) + 420 + 15 s,
# about 18 minutes of database work at most, fit inside the group's
# 23-minute health check grace period and its 25-minute signal timeout,
# with over 4 minutes left for the instance's start, lighttpd, the local
# health check (MEMO_HEALTH_WAIT, 60 s) and the balancer's
# (MEMO_BALANCER_WAIT, 90 s).  A migration
# longer than that is run by hand before the roll-out (README, section 3).
# A timeout ends the boot, no retry (a retry would run past those
# budgets): die, and the EXIT trap signals FAILURE.
migrate() {
	case $MEMO_MIGRATE_TIMEOUT in
	'' | *[!0-9]* | 0*) die "MEMO_MIGRATE_TIMEOUT must be a positive number of seconds" ;;
	esac
	case $MEMO_INDEX_SECONDS in
	'' | *[!0-9]* | 0*) die "MEMO_INDEX_SECONDS must be a positive number of seconds" ;;
	esac
	mstart=$(date +%s)
	rc=0
	# TERM at the limit (memo-migrate then removes its password file), to
	# its mariadb clients too (timeout signals its process group); KILL
	# 15 s later if that was not enough.
	MEMO_INDEX_SECONDS=$MEMO_INDEX_SECONDS \
	    timeout -k 15 "$MEMO_MIGRATE_TIMEOUT" "$R$MEMO_PREFIX/sbin/memo-migrate" \
	    --config "$MIGRATE_CONFIG" --lock-timeout 300 || rc=$?
	if { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } &&
	    [ $(($(date +%s) - mstart)) -ge "$MEMO_MIGRATE_TIMEOUT" ]; then
		die "memo-migrate did not finish in ${MEMO_MIGRATE_TIMEOUT}s" \
		    "(MEMO_MIGRATE_TIMEOUT; a database lost in the middle of a" \
		    "migration?): stopped, the boot fails"
	fi
	return "$rc"
}

# The database may be away for a while (an RDS failover or reboot takes 60
# to 120 s): keep trying for MEMO_DB_WAIT seconds before the boot fails.
database() {
	start=$(date +%s)
	until db_users && migrate; do
		log "database not ready; again in ${MEMO_DB_RETRY}s"
		sleep "$MEMO_DB_RETRY"
		# After the sleep, not before: no try starts past MEMO_DB_WAIT
		# (checked before it, the last started up to MEMO_DB_RETRY
		# later, past the budget below).  Whole seconds: -ge would give
		# up after as little as MEMO_DB_WAIT - 1 s (started at x.9 s);
		# -gt tries at least MEMO_DB_WAIT s, at most a second more.
		if [ $(($(date +%s) - start)) -gt "$MEMO_DB_WAIT" ]; then
			die "the database was not ready in ${MEMO_DB_WAIT}s"
		fi
	done
}

# ---- boot: lighttpd ----

enable_conf() {
	ln -sfn "../conf-available/$1" "$LIGHTTPD/conf-enabled/$1"
}

lighttpd_setup() {
	[ -f "$LIGHTTPD/lighttpd.conf" ] || die "lighttpd is not installed ($LIGHTTPD)"
	case $MEMO_MODE in cgi | fastcgi) ;; *) die "MEMO_MODE must be cgi or fastcgi" ;; esac
	case $MEMO_FCGI_PROCS in '' | *[!0-9]* | 0*) die "MEMO_FCGI_PROCS must be a positive number" ;; esac
	forwarders=
	for cidr in $(printf '%s' "$MEMO_FORWARDERS" | tr ',' ' '); do
		printf '%s\n' "$cidr" | grep -Eq '^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$' ||
			die "MEMO_FORWARDERS: $cidr is not an IPv4 CIDR block"
		forwarders="$forwarders\"$cidr\" => \"trust\", "
	done
	# No forwarder: trust none ("none" is no address lighttpd knows).
	[ -n "$forwarders" ] || forwarders='"none" => "untrusted", '
	sed -e "s|@FORWARDERS@|$forwarders|" -e "s|@STATICDIR@|$MEMO_PREFIX/share/memo/htdocs/static|" \
	    "$SHARE/aws/lighttpd-instance.conf" >"$LIGHTTPD/conf-available/60-memo-instance.conf"
	enable_conf 10-accesslog.conf
	enable_conf 50-memo.conf
	enable_conf 60-memo-instance.conf
	if [ "$MEMO_MODE" = fastcgi ]; then
		enable_conf 51-memo-fastcgi.conf
	else
		rm -f "$LIGHTTPD/conf-enabled/51-memo-fastcgi.conf"
	fi
	# Debian's extras: the /javascript alias and the placeholder page.
	rm -f "$LIGHTTPD/conf-enabled/90-javascript-alias.conf" \
	    "$LIGHTTPD/conf-enabled/99-unconfigured.conf"
	# The FastCGI processes per busy route, for 51-memo-fastcgi.conf.
	mkdir -p "$R/etc/systemd/system/lighttpd.service.d"
	printf '[Service]\nEnvironment=MEMO_FCGI_PROCS=%s\n' "$MEMO_FCGI_PROCS" \
	    >"$R/etc/systemd/system/lighttpd.service.d/memo.conf"
	log "lighttpd: $MEMO_MODE mode, forwarders: ${MEMO_FORWARDERS:-none}"
}

# The CloudWatch agent's configuration, with this stack's log groups, and
# the agent started: first of the boot, so that a boot failing on its
# settings, the database or a migration ships its log (cloud-init's
# output) before the group ends the instance.
cloudwatch_config() {
	if [ ! -f "$SHARE/aws/cloudwatch-agent.json" ]; then
		# An image without it was not baked by bake-ami.sh: it would
		# ship no logs, and no log-based alarm could fire.
		[ -n "$MEMO_ROOT_DIR" ] ||
			die "no $SHARE/aws/cloudwatch-agent.json: memo is not installed"
		log "no CloudWatch agent configuration: memo is not installed here"
		return 0
	fi
	install -d -m 755 "$ETC"
	sed "s|@STACK@|${MEMO_STACK:-memo}|g" "$SHARE/aws/cloudwatch-agent.json" \
	    >"$ETC/cloudwatch-agent.json"
	if [ -x "$MEMO_CWAGENT_CTL" ]; then
		"$MEMO_CWAGENT_CTL" -a fetch-config -m ec2 -s \
		    -c "file:$ETC/cloudwatch-agent.json"
	else
		log "no CloudWatch agent on this image: logs stay on the instance"
	fi
}

# memo-maint's output in a file the CloudWatch agent ships (the journal,
# where it goes by default, is neither shipped nor kept when the instance
# goes): a purge failing for hours is an alarm (MaintFailingAlarm), not a
# silent break of the trash's promise.  systemd opens the file as root.
maint_log() {
	d=$R/etc/systemd/system/memo-maint.service.d
	install -d -m 755 "$d" "$R/var/log/memo" "$R/etc/logrotate.d"
	cat >"$d/log.conf" <<EOF
[Service]
StandardOutput=append:/var/log/memo/maint.log
StandardError=append:/var/log/memo/maint.log
EOF
	cat >"$R/etc/logrotate.d/memo-maint" <<EOF
/var/log/memo/maint.log {
	weekly
	rotate 4
	compress
	missingok
	notifempty
}
EOF
	# In place of Debian's (weekly, 12 kept, no size bound): the access
	# log grows with every request on the image's 8 GiB root disk, and
	# the CloudWatch agent has shipped each line already.  cgi.log is
	# copied and cut in place, not moved: FastCGI processes write to the
	# file they were started with, and lighttpd's reopening does not
	# reach them (moved, their lines went to cgi.log.1, then nowhere).
	kept='	daily
	maxsize 200M
	rotate 7
	compress
	delaycompress
	missingok
	notifempty'
	cat >"$R/etc/logrotate.d/lighttpd" <<EOF
/var/log/lighttpd/access.log /var/log/lighttpd/error.log {
$kept
	sharedscripts
	postrotate
		invoke-rc.d lighttpd reopen-logs >/dev/null 2>&1 || true
	endscript
}
/var/log/lighttpd/cgi.log {
$kept
	copytruncate
}
EOF
}

start() {
	maint_log
	systemctl daemon-reload
	systemctl enable lighttpd
	systemctl restart lighttpd
	# memo-maint's timer (purge, sweep, index), installed by make install.
	for d in "$R/etc/systemd/system" "$R/lib/systemd/system" "$R$MEMO_PREFIX/lib/systemd/system"; do
		if [ -e "$d/memo-maint.timer" ]; then
			systemctl enable --now memo-maint.timer
			return
		fi
	done
	log "no memo-maint.timer unit: maintenance is not scheduled"
}

# Liveness, then the database, as the balancer and an operator ask.
# MEMO_HEALTH_WAIT in all, both paths: the boot's budget (migrate(), above)
# leaves 2 minutes for the instance's start, lighttpd and this.  Thirty
# tries of each, as it was, could take 6 minutes against a database that
# answered slowly.
check_health() {
	base=${MEMO_HEALTH_URL%/}
	hend=$(($(date +%s) + MEMO_HEALTH_WAIT))
	for path in health/live health; do
		until curl -fsS --max-time 5 -o /dev/null "$base/$path"; do
			[ "$(date +%s)" -lt "$hend" ] ||
				die "$base/$path does not answer 200 (asked for ${MEMO_HEALTH_WAIT}s)"
			sleep 1
		done
	done
	log "$base/health/live and $base/health answer 200"
}

# The balancer's own verdict.  SUCCESS has CloudFormation take an old
# instance out of service at once: this one must take requests already,
# which the balancer gives it after two passing checks (10 to 20 s after
# lighttpd started).  Signalled on the local check alone, each batch of a
# roll-out ran one instance short of MinInstancesInService meanwhile.
balancer_health() {
	[ -n "$MEMO_TARGET_GROUP" ] || return 0
	id=$(instance_id) || die "no instance id to ask the balancer about"
	bend=$(($(date +%s) + MEMO_BALANCER_WAIT))
	while :; do
		state=$(aws elbv2 describe-target-health \
		    --target-group-arn "$MEMO_TARGET_GROUP" --targets "Id=$id" \
		    --query 'TargetHealthDescriptions[0].TargetHealth.State' \
		    --output text) || state=unknown
		if [ "$state" = healthy ]; then
			log "the balancer sees $id healthy"
			return 0
		fi
		[ "$(date +%s)" -lt "$bend" ] || die "the balancer did not see" \
		    "$id healthy in ${MEMO_BALANCER_WAIT}s (last: $state)"
		sleep "$MEMO_BALANCER_POLL"
	done
}

# ---- boot: the verdict ----

instance_id() {
	if [ -n "${MEMO_INSTANCE_ID:-}" ]; then
		echo "$MEMO_INSTANCE_ID"
		return
	fi
	# IMDSv2 (the launch template requires its token). Each ask is bounded
	# and retried: a metadata service that hangs once must not hold the
	# signal back until CloudFormation's timeout rolls the update back.
	imds=${MEMO_IMDS_URL%/}
	token=$(imds_ask -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
	    "$imds/api/token") || return 1
	imds_ask -H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/instance-id"
}

imds_ask() {
	curl -fsS --connect-timeout 2 --max-time 3 --retry 4 --retry-delay 1 \
	    --retry-connrefused "$@"
}

# SUCCESS or FAILURE to CloudFormation (which waits for it while creating or
# updating the group, and rolls back on FAILURE); a failed instance also
# tells the group to replace it.
signal() {
	[ -n "$MEMO_STACK" ] || return 0
	id=$(instance_id) || { log "no instance id: no signal"; return 0; }
	aws cloudformation signal-resource --stack-name "$MEMO_STACK" \
	    --logical-resource-id "$MEMO_SIGNAL_RESOURCE" --unique-id "$id" \
	    --status "$1" ||
		log "signal $1 not taken (no create or update is waiting for one)"
	if [ "$1" = FAILURE ]; then
		# Every boot failure falls within the group's grace period,
		# which the call respects unless told not to: the instance
		# then stayed in service, serving nothing, until it ended.
		aws autoscaling set-instance-health --instance-id "$id" \
		    --health-status Unhealthy --no-should-respect-grace-period ||
			log "could not mark $id unhealthy"
	fi
}

boot_failed() {
	[ "$1" != 0 ] || return 0
	log "boot failed ($1)"
	# The agent sends what it read every few seconds: the log of this
	# failure, the one thing left of the instance once it is ended.
	if [ -x "$MEMO_CWAGENT_CTL" ] && [ "$MEMO_LOG_FLUSH" -gt 0 ]; then
		log "waiting ${MEMO_LOG_FLUSH}s for the CloudWatch agent to send this log"
		sleep "$MEMO_LOG_FLUSH"
	fi
	signal FAILURE
}

boot() {
	trap 'boot_failed $?' EXIT
	cloudwatch_config
	configure
	database
	lighttpd_setup
	start
	check_health
	balancer_health
	trap - EXIT
	signal SUCCESS
}

umask 022
case ${1:-} in
bake) packages; build_install ;;
boot) boot ;;
all) packages; build_install; boot ;;
# The package lists, for bake-ami.sh and the tests.
packages) case ${2:-} in build) words "$BUILD_PACKAGES" ;; run) words "$RUN_PACKAGES" ;; esac ;;
*) die "usage: memo-setup.sh bake|boot|all|packages build|run" ;;
esac
