#!/bin/sh
# user-data.sh - cloud-init user data of memo's EC2 launch template.
#
# On an instance of the baked AMI (deploy/aws/bake-ami.sh) memo is already
# installed: this writes /etc/memo/memo.env, runs the schema migrations
# (every instance of the group does; they serialize, and a migration is
# applied once) and starts lighttpd on port 80 for the load balancer.  On
# a plain Debian 12 AMI it first installs packages and builds memo from
# MEMO_SOURCE_URL.
#
# Settings: with SSM_PREFIX set and the AWS CLI installed (the baked AMI
# has it), every setting is read from SSM Parameter Store under that
# prefix (the instance profile needs ssm:GetParametersByPath and
# kms:Decrypt); else from the variables below.  Keep secrets in SSM: user
# data is readable by anyone who may describe the instance.
# Output: /var/log/cloud-init-output.log.
set -eu

: "${SSM_PREFIX=/memo/prod}"
: "${AWS_DEFAULT_REGION:=ap-northeast-2}"
# Only without SSM (a test stack): the settings themselves.
: "${DB_HOST:=}"               # the RDS endpoint
: "${DB_PORT:=3306}"
: "${DB_DATABASE:=memo}"
: "${DB_USER:=memo}"
: "${DB_PASSWORD:=}"
: "${DB_SSL_CA:=}"
: "${NAVER_CLIENT_ID:=}"
: "${NAVER_CLIENT_SECRET:=}"
: "${NAVER_REDIRECT_URI:=}"    # https://memo.example.com/auth
# Behind an ALB that ends TLS: cookies get Secure from X-Forwarded-Proto.
: "${COOKIE_SECURE:=auto}"
# A plain Debian AMI only: where to get the source (a release tarball on
# S3 or HTTPS, unpacking to memo/), or a checkout already on disk.
: "${MEMO_SOURCE_URL:=}"
: "${MEMO_SOURCE_DIR:=}"
: "${MEMO_ROOT_DIR:=}"
: "${MEMO_PREFIX:=/usr/local}"
export SSM_PREFIX AWS_DEFAULT_REGION DB_HOST DB_PORT DB_DATABASE DB_USER \
    DB_PASSWORD DB_SSL_CA NAVER_CLIENT_ID NAVER_CLIENT_SECRET \
    NAVER_REDIRECT_URI COOKIE_SECURE MEMO_SOURCE_DIR MEMO_ROOT_DIR MEMO_PREFIX

baked=$MEMO_ROOT_DIR$MEMO_PREFIX/sbin/memo-setup
if [ -x "$baked" ]; then
	exec "$baked" boot
fi
if [ -z "$MEMO_SOURCE_DIR" ]; then
	[ -n "$MEMO_SOURCE_URL" ] || { echo "user-data: no MEMO_SOURCE_URL" >&2; exit 1; }
	work=$(mktemp -d)
	case $MEMO_SOURCE_URL in
	s3://*)
		apt-get update -q && apt-get install -y -q awscli
		aws s3 cp "$MEMO_SOURCE_URL" "$work/memo.tar.gz" ;;
	*)
		apt-get update -q && apt-get install -y -q curl ca-certificates
		curl -fsSL -o "$work/memo.tar.gz" "$MEMO_SOURCE_URL" ;;
	esac
	tar -xzf "$work/memo.tar.gz" -C "$work"
	MEMO_SOURCE_DIR=$work/memo
fi
exec sh "$MEMO_SOURCE_DIR/deploy/aws/memo-setup.sh" all
