#!/bin/sh
# bake-ami.sh - prepare a builder instance (Debian 12) for an AMI of memo:
# the same packages and install as user-data.sh, without any setting or
# secret (those come at boot, from SSM), then cleaned for imaging.
#
#   sudo sh deploy/aws/bake-ami.sh        # in a checkout or release tarball
#   aws ec2 create-image --instance-id i-… --name memo-$(date +%Y%m%d%H%M)
#
# lighttpd is left disabled: an instance serves only after user-data.sh
# has written its settings and migrated (the load balancer's health check
# keeps it out until then).  MEMO_ROOT_DIR, MEMO_SKIP_APT and
# MEMO_SKIP_SERVICE work as in memo-setup.sh (the tests bake into a folder).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/memo-setup.sh" bake
if [ "${MEMO_SKIP_SERVICE:-0}" != 1 ]; then
	systemctl disable --now lighttpd
	apt-get clean
	cloud-init clean --logs	# the AMI's instances run their own user data
fi
