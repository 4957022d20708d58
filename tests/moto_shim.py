"""moto_shim.py - moto_server, with the gaps of its CloudFormation emulation
that deploy/aws/memo.yaml runs into filled in, so the test deploys the
template as written (test_aws.py starts this; never used against AWS).

Each patch is a fix of moto, not of the template:
- AWS::RDS::DBParameterGroup has no physical id in moto 5.2, so a Ref to
  it resolves to the Python object instead of the group's name (AWS:
  the name).
- update-stack with UsePreviousValue for a parameter the stack took its
  default for fails in moto (a KeyError: it remembers only the parameters
  given); AWS keeps the value the stack has, which is the default.
- A launch template's block device mapping for the AMI's root device with
  neither SnapshotId nor VolumeSize (memo.yaml's encrypted root) is, on
  EC2, that root: the AMI's snapshot and size, encrypted as the mapping
  says.  moto makes every mapping a new volume and refuses one with
  neither snapshot nor size, so the group could start no instance; here it
  takes the AMI's snapshot.  A mapping for a device the AMI does not have
  stays refused, as EC2 refuses it.

Usage: python3 tests/moto_shim.py -H 127.0.0.1 -p PORT (moto_server's)."""
import sys

from moto.rds import models as rds

if "physical_resource_id" not in vars(rds.DBParameterGroup):
    rds.DBParameterGroup.physical_resource_id = property(lambda self: self.name)

from moto.cloudformation.models import CloudFormationBackend  # noqa: E402

_resolve = CloudFormationBackend._resolve_update_parameters


def _resolve_with_defaults(self, instance, incoming_params):
    # A parameter the stack took its default for is left out: moto then
    # takes the default again, the value AWS keeps.
    given = getattr(instance, "parameters", None) or {}
    params = [p for p in incoming_params
              if not p.get("UsePreviousValue") or p["ParameterKey"] in given]
    return _resolve(self, instance, params)


CloudFormationBackend._resolve_update_parameters = _resolve_with_defaults

from moto.ec2.models.instances import Instance  # noqa: E402

_add_block_device = Instance.add_block_device


def _add_block_device_from_ami(self, size, device_path, snapshot_id, *args, **kwargs):
    # The AMI's root device, named without a snapshot or a size: the AMI's.
    if size is None and snapshot_id is None and device_path == self.root_device_name:
        amis = self.ec2_backend.describe_images(filters={"image-id": self.image_id})
        if amis:
            snapshot_id = amis[0].ebs_snapshot.id
    return _add_block_device(self, size, device_path, snapshot_id, *args, **kwargs)


Instance.add_block_device = _add_block_device_from_ami

from moto.server import main  # noqa: E402  (after the patches)

if __name__ == "__main__":
    sys.exit(main())
