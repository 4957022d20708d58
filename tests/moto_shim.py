"""moto_shim.py - moto_server, with the gaps of its CloudFormation emulation
that deploy/aws/memo.yaml runs into filled in, so the test deploys the
template as written (test_aws.py starts this; never used against AWS).

Each patch is a fix of moto, not of the template:
- AWS::RDS::DBParameterGroup has no physical id in moto 5.2, so a Ref to
  it resolves to the Python object instead of the group's name (AWS:
  the name).

Usage: python3 tests/moto_shim.py -H 127.0.0.1 -p PORT (moto_server's)."""
import sys

from moto.rds import models as rds

if "physical_resource_id" not in vars(rds.DBParameterGroup):
    rds.DBParameterGroup.physical_resource_id = property(lambda self: self.name)

from moto.server import main  # noqa: E402  (after the patches)

if __name__ == "__main__":
    sys.exit(main())
