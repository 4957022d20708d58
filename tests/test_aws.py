"""test_aws.py - deploy/aws/memo.yaml, the CloudFormation stack: cfn-lint
passes it with no error or warning; it deploys into moto_server (AWS's API
emulator, on a loopback port of its own, stopped by its pid) and completes
with its outputs and the settings the issue asks for; and the commands of
deploy/aws/README.md's "Deploy", "Roll out" and "Roll back" sections run
as written against it.

Without cfn-lint, moto or the AWS CLI these tests are skipped, saying so
(pip install cfn-lint moto[server] awscli).  What moto cannot show (an
instance booting, signals, the rolling update replacing instances, the
balancer's checks) only AWS can: README.md says which."""
import ast
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time

import stack
from lib import Skipped, check, eq, skip_unless_tools, test

AWS = os.path.join(stack.ROOT, "deploy", "aws")
TEMPLATE = os.path.join(AWS, "memo.yaml")
README = os.path.join(AWS, "README.md")
HOW = "pip install cfn-lint moto[server] awscli"
REGION = "ap-northeast-2"
# The sections of README.md whose commands this test runs, in order.
RUN_SECTIONS = ("2. Deploy the stack", "3. Roll out a new version", "4. Roll back")


def template():
    """memo.yaml as data (CloudFormation's short tags kept as {"!Tag": …})."""
    try:
        import yaml
    except ImportError:
        raise Skipped(f"PyYAML is not installed for {sys.executable} ({HOW})")

    class Loader(yaml.SafeLoader):
        pass

    def tag(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {"!" + suffix: value}
    Loader.add_multi_constructor("!", tag)
    with open(TEMPLATE) as f:
        return yaml.load(f, Loader=Loader)


def readme_sections():
    """{section title: [its ```sh blocks]} of deploy/aws/README.md."""
    out, title = {}, None
    for part in re.split(r"^## ", open(README).read(), flags=re.M)[1:]:
        title = part.splitlines()[0].strip()
        out[title] = re.findall(r"```sh\n(.*?)```", part, re.S)
    return out


def need_moto():
    skip_unless_tools("aws", how=HOW)
    p = subprocess.run([sys.executable, "-c", "import moto.server, boto3, yaml"],
                       capture_output=True)
    if p.returncode != 0:
        raise Skipped(f"moto is not installed for {sys.executable} ({HOW})")


class Moto:
    """moto_server (through tests/moto_shim.py) on a loopback port."""

    def __init__(self, base):
        self.port = stack.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        os.makedirs(base, exist_ok=True)
        self.log = os.path.join(base, "moto.log")
        self.server = stack.Server("moto", [sys.executable, os.path.join(
            stack.ROOT, "tests", "moto_shim.py"), "-H", "127.0.0.1", "-p", str(self.port)],
            self.log)
        stack.wait_for(stack.port_open(self.port), "moto_server", proc=self.server.proc)
        import boto3
        self.session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name=REGION)

    def client(self, name):
        return self.session.client(name, endpoint_url=self.url)

    def unsupported(self):
        """Resource types moto logged it does not create."""
        text = open(self.log, errors="replace").read()
        return sorted(set(re.findall(r"No Moto CloudFormation support for (\S+)", text)))

    def stop(self):
        self.server.stop(grace=5)


def network(moto):
    """What the stack needs to exist already: a VPC, two public and two
    private subnets, two AMIs whose root device is /dev/xvda (as Debian
    12's: RootDeviceName's default), a certificate."""
    ec2 = moto.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                                 AvailabilityZone=f"{REGION}{'ac'[i % 2]}")["Subnet"]["SubnetId"]
               for i in range(4)]
    amis = [i["ImageId"] for i in ec2.describe_images()["Images"]
            if i.get("RootDeviceName") == "/dev/xvda"][:2]
    eq(len(amis), 2, "moto's AMIs with /dev/xvda for a root device")
    cert = moto.client("acm").request_certificate(DomainName="memo.example.com")
    return {"VPC": vpc, "PUBLIC_SUBNETS": ",".join(subnets[:2]),
            "PRIVATE_SUBNETS": ",".join(subnets[2:]),
            "PUBLIC_CIDRS": "10.0.0.0/24,10.0.1.0/24", "CERT_ARN": cert["CertificateArn"],
            "DOMAIN": "memo.example.com", "AMI": amis[0], "NEW_AMI": amis[1],
            "STACK": "memo-prod"}


def run_section(moto, values, title, workdir):
    """One README section's blocks as one POSIX sh script, as an operator
    runs them from a checkout (here a folder whose deploy/ is the
    checkout's, so that the files they write stay out of it), every aws
    call sent to moto."""
    blocks = readme_sections()[title]
    check(blocks, f"README.md section {title!r} has commands")
    prelude = "set -eu\n" + "".join(f"{k}='{v}'\n" for k, v in values.items())
    # The operator's credentials and region; the endpoint is the emulator's.
    prelude += (f"export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
                f"AWS_DEFAULT_REGION={REGION}\n"
                f"aws() {{ command aws --endpoint-url {moto.url} \"$@\"; }}\n"
                f"cd {workdir}\n")
    link = os.path.join(workdir, "deploy")
    if not os.path.islink(link):
        os.symlink(os.path.join(stack.ROOT, "deploy"), link)
    script = os.path.join(workdir, re.sub(r"\W+", "-", title) + ".sh")
    with open(script, "w") as f:
        f.write(prelude + "\n".join(blocks))
    p = subprocess.run(["sh", script], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, HOME=workdir))
    eq(p.returncode, 0, f"README {title}: {p.stderr[-1500:]}")
    return p.stdout


def stack_state(moto, name):
    s = moto.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
    return s["StackStatus"], {o["OutputKey"]: o["OutputValue"] for o in s.get("Outputs", [])}


@test
def template_passes_cfn_lint(env):
    """deploy/aws/memo.yaml: cfn-lint reports no error, warning or informational finding"""
    skip_unless_tools("cfn-lint", how=HOW)
    p = subprocess.run(["cfn-lint", "--include-checks", "I", "--", TEMPLATE],
                       capture_output=True, text=True)
    eq((p.returncode, p.stdout + p.stderr), (0, ""), "cfn-lint")
    version = subprocess.run(["cfn-lint", "--version"], capture_output=True, text=True).stdout
    ignored = re.findall(r"cfn-lint.*ignore_checks.*", open(TEMPLATE).read())
    print(f"    saw: {version.strip()}, clean; rules ignored in the template: {ignored or 'none'}")


@test
def template_says_what_the_issue_asks(env):
    """memo.yaml: IMDSv2, a fixed launch template version, signals and rollback, Multi-AZ parameter, TLS, backups, log exports, alarms"""
    t = template()
    r = t["Resources"]
    types = {v["Type"] for v in r.values()}
    for want in ("AWS::EC2::SecurityGroup", "AWS::ElasticLoadBalancingV2::LoadBalancer",
                 "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup",
                 "AWS::S3::Bucket", "AWS::IAM::Role", "AWS::EC2::LaunchTemplate",
                 "AWS::AutoScaling::AutoScalingGroup", "AWS::RDS::DBInstance",
                 "AWS::CloudWatch::Alarm"):
        check(want in types, f"a {want}")
    for p in ("VpcId", "PublicSubnetIds", "PrivateSubnetIds", "CertificateArn", "AmiId",
              "InstanceType", "MinSize", "MaxSize", "DbInstanceClass",
              "DbMultiAZ", "NaverClientIdParameter", "NaverClientSecretParameter"):
        check(p in t["Parameters"], f"parameter {p}")
    attrs = {a["Key"]: a["Value"] for a in r["LoadBalancer"]["Properties"]["LoadBalancerAttributes"]}
    eq((attrs["deletion_protection.enabled"], attrs["routing.http.drop_invalid_header_fields.enabled"],
        attrs["access_logs.s3.enabled"]), ("true", "true", "true"), "balancer attributes")
    keep = int(re.search(r"^server\.max-keep-alive-idle = (\d+)$", open(os.path.join(
        AWS, "lighttpd-instance.conf")).read(), re.M).group(1))
    idle = int(attrs["idle_timeout.timeout_seconds"])
    check(300 <= idle < keep, f"the balancer's idle timeout ({idle} s) lets an import or a "
          f"withdrawal work minutes, and is below lighttpd's keep-alive ({keep} s)")
    drain = {a["Key"]: a["Value"] for a in
             r["TargetGroup"]["Properties"]["TargetGroupAttributes"]}
    eq(drain["deregistration_delay.timeout_seconds"], str(idle),
       "an instance leaving lets its requests run as long as the balancer would")
    eq(r["HttpListener"]["Properties"]["DefaultActions"][0]["RedirectConfig"]["StatusCode"],
       "HTTP_301", "80 redirects to 443")
    hsts = r["HttpsListener"]["Properties"]["ListenerAttributes"][0]
    check(hsts["Key"].endswith("strict_transport_security.header_value") and
          "max-age=" in hsts["Value"], "HSTS at the balancer")
    eq(r["TargetGroup"]["Properties"]["HealthCheckPath"], "/health/live",
       "the balancer acts on liveness, not on the database")
    lt = r["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    eq(lt["MetadataOptions"]["HttpTokens"], "required", "IMDSv2")
    group = r["Group"]
    eq(group["Properties"]["LaunchTemplate"]["Version"],
       {"!GetAtt": "LaunchTemplate.LatestVersionNumber"}, "a fixed version, never $Latest")
    roll = group["UpdatePolicy"]["AutoScalingRollingUpdate"]
    check(roll["WaitOnResourceSignals"] is True and "ReplaceUnhealthy" in roll["SuspendProcesses"],
          "the rolling update waits for each instance's signal")
    eq(group["UpdatePolicy"].get("AutoScalingScheduledAction", {}).get(
        "IgnoreUnmodifiedGroupSizeProperties"), True,
       "an update (a roll-out) keeps the size scaling gave the group")
    # CloudFormation sets a DesiredCapacity the template names again on
    # every update of the group: a roll-out at the busiest time would stop
    # what scaling had added.
    check("DesiredCapacity" not in group["Properties"] and "DesiredCapacity" not in t["Parameters"],
          "no DesiredCapacity for an update to set the group back to")
    eq((group["CreationPolicy"]["ResourceSignal"]["Count"], roll["MinInstancesInService"]),
       ({"!Ref": "MinSize"}, {"!Ref": "MinSize"}), "the group starts with MinSize and keeps it in service")
    # CloudFormation refuses every rolling update when MinInstancesInService
    # (MinSize) is not below MaxSize: the create must not accept that.
    eq(t["Rules"]["MaxSizeAboveMinSize"]["Assertions"][0]["Assert"],
       {"!Not": [{"!Equals": [{"!Ref": "MinSize"}, {"!Ref": "MaxSize"}]}]},
       "a stack whose MaxSize equals MinSize is refused")
    # memo-setup's budget: the database wait's last try by 601 s, as_master
    # 65, memo-migrate 420 + 15, the health check 60, the balancer's 90,
    # and two minutes for the instance's start; below the signal timeout
    # (PauseTime).
    grace = group["Properties"]["HealthCheckGracePeriod"]
    pause = roll["PauseTime"]
    check(601 + 65 + 435 + 60 + 90 + 120 <= grace < int(pause[2:-1]) * 60,
          f"grace period {grace} s: above the longest boot, below the signal timeout {pause}")
    user_data = lt["UserData"]["Fn::Base64"]["!Sub"][0]
    check("memo-setup boot" in user_data and "MEMO_MODE=" in user_data, "user data boots memo")
    # TRASH_DAYS from the stack, on every instance alike (any instance's
    # memo-maint may purge), within the bounds common/cfg.c holds it to.
    bounds = re.search(r"cfg_num\(cfg, CFG_TRASH_DAYS, (\d+), (\d+)\)",
                       open(os.path.join(stack.ROOT, "common", "cfg.c")).read())
    trash = t["Parameters"]["TrashDays"]
    eq((trash["Default"], trash["MinValue"], trash["MaxValue"]),
       (30, int(bounds.group(1)), int(bounds.group(2))), "TrashDays: cfg.c's default and bounds")
    check("export TRASH_DAYS='${TrashDays}'\n" in user_data, "the user data hands TrashDays on")
    # A log group named after the stack and kept after a failed create
    # would make the next create of that stack fail.
    named = {k: v.get("DeletionPolicy") for k, v in r.items()
             if v["Type"] == "AWS::Logs::LogGroup" and "LogGroupName" in v["Properties"]}
    eq(set(named.values()), {"RetainExceptOnCreate"}, f"log groups' deletion policy: {named}")
    # AmazonSSMManagedInstanceCore allows ssm:GetParameter(s) on every
    # parameter: the role's own policy must deny all but the Naver pair.
    role = r["InstanceRole"]["Properties"]
    check(any("AmazonSSMManagedInstanceCore" in str(a) for a in role["ManagedPolicyArns"]),
          "Session Manager's managed policy")
    statements = {st.get("Sid"): st for st in
                  role["Policies"][0]["PolicyDocument"]["Statement"] if isinstance(st, dict)}
    deny = statements.get("NoOtherParameters", {})
    eq((deny.get("Effect"), sorted(deny.get("Action", [])), deny.get("NotResource")),
       ("Deny", ["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters",
                 "ssm:GetParametersByPath"],
        statements["NaverSettings"]["Resource"]),
       "no parameter but the Naver pair, whatever the managed policies allow")
    check("kms:EncryptionContext:PARAMETER_ARN" in str(statements["DecryptSecureStrings"]),
          "kms:Decrypt only for the Naver pair's parameters")
    db = r["Database"]["Properties"]
    eq((db["Engine"], db["ManageMasterUserPassword"], db["DeletionProtection"],
        db["StorageEncrypted"], db["MultiAZ"]),
       ("mysql", True, True, True, {"!Ref": "DbMultiAZ"}), "database")
    check(t["Parameters"]["DbEngineVersion"]["Default"].startswith("8.4."), "MySQL 8.4")
    eq(sorted(db["EnableCloudwatchLogsExports"]), ["error", "slowquery"], "log exports")
    check(db["BackupRetentionPeriod"], "backups")
    eq(r["DatabaseParameters"]["Properties"]["Parameters"]["require_secure_transport"], "1",
       "TLS required")
    metrics = {v["Properties"].get("MetricName") for v in r.values()
               if v["Type"] == "AWS::CloudWatch::Alarm"}
    eq(metrics >= {"HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count", "HealthyHostCount",
                   "TargetResponseTime", "DatabaseConnections", "CPUUtilization",
                   "FreeStorageSpace", "DatabaseConnectErrors", "MaintFailures"}, True,
       f"alarms: {metrics}")
    # The instance alarms watch what the CloudWatch agent publishes: its
    # namespace, its measurement names, rolled up by the group.
    agent = json.load(open(os.path.join(stack.ROOT, "deploy/aws/cloudwatch-agent.json")))["metrics"]
    published = {m if m.startswith(k + "_") else f"{k}_{m}"    # the agent's naming
                 for k, v in agent["metrics_collected"].items() for m in v["measurement"]}
    watched = {v["Properties"]["MetricName"]: v["Properties"] for v in r.values()
               if v["Type"] == "AWS::CloudWatch::Alarm" and v["Properties"]["Namespace"] == agent["namespace"]
               and v["Properties"]["MetricName"] in published}
    eq(sorted(watched), ["disk_used_percent", "mem_used_percent"], "disk and memory alarms")
    check(["AutoScalingGroupName"] in agent["aggregation_dimensions"] and
          all(p["Dimensions"] == [{"Name": "AutoScalingGroupName", "Value": {"!Ref": "Group"}}]
              for p in watched.values()), "by the group, as the agent rolls them up")
    # The log metric filters' metrics are the stack's own (a staging stack
    # in the account must not raise production's alarms), and each alarm
    # watches the namespace its filter writes.
    filtered = {t["MetricName"]: t["MetricNamespace"] for v in r.values()
                if v["Type"] == "AWS::Logs::MetricFilter"
                for t in v["Properties"]["MetricTransformations"]}
    eq(sorted(filtered), ["DatabaseConnectErrors", "MaintFailures"], "log metric filters")
    for v in r.values():
        a = v["Properties"]
        if v["Type"] == "AWS::CloudWatch::Alarm" and a["MetricName"] in filtered:
            eq(a["Namespace"], filtered[a["MetricName"]], f"{a['MetricName']}: the filter's namespace")
            check("${AWS::StackName}" in str(a["Namespace"]), f"{a['MetricName']}: the stack's own")
    # The metric filters count lines the programs write (test_maint.py runs
    # memo-maint into its failure and looks for this pattern).
    eq(r["MaintFailures"]["Properties"]["FilterPattern"], '"memo-maint: failed:"',
       "memo-maint's failures counted")


def ref_name(value):
    """The logical id a !Ref X or !GetAtt X.Attr names, else None."""
    if isinstance(value, dict) and len(value) == 1:
        (tag, arg), = value.items()
        if tag in ("!Ref", "Ref"):
            return arg
        if tag in ("!GetAtt", "Fn::GetAtt"):
            return (arg.split(".")[0] if isinstance(arg, str) else arg[0])
    return None


def refs_in(value):
    """Every logical id a piece of the template names (!Ref, !GetAtt, !Sub)."""
    if isinstance(value, dict):
        name = ref_name(value)
        if name:
            return {name}
        out = set()
        for tag, arg in value.items():
            if tag in ("!Sub", "Fn::Sub"):
                text = arg if isinstance(arg, str) else arg[0]
                out |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                if not isinstance(arg, str):
                    out |= refs_in(arg[1])
            else:
                out |= refs_in(arg)
        return out
    if isinstance(value, list):
        return set().union(*(refs_in(v) for v in value)) if value else set()
    return set()


def sg_rules(r, group, kind):
    """A security group's rules of one kind ("Ingress" or "Egress"), its own
    and those of AWS::EC2::SecurityGroup<kind> resources, as (protocol,
    from port, to port, peer): peer is a CIDR block or ("group", logical id)."""
    rules = list(r[group]["Properties"].get(f"SecurityGroup{kind}", []))
    rules += [v["Properties"] for v in r.values()
              if v["Type"] == f"AWS::EC2::SecurityGroup{kind}"
              and ref_name(v["Properties"]["GroupId"]) == group]
    peer_key = "SourceSecurityGroupId" if kind == "Ingress" else "DestinationSecurityGroupId"
    out = set()
    for rule in rules:
        peer = rule.get("CidrIp") or rule.get("CidrIpv6") or ("group", ref_name(rule.get(peer_key)))
        out.add((str(rule["IpProtocol"]), rule.get("FromPort"), rule.get("ToPort"), peer))
    return out


@test
def security_groups_allow_only_what_memo_uses(env):
    """memo.yaml: no security group keeps the default allow-all egress; balancer -> instances :80, instances -> HTTPS and the database :3306, the database nothing"""
    t = template()
    r = t["Resources"]
    groups = sorted(k for k, v in r.items() if v["Type"] == "AWS::EC2::SecurityGroup")
    eq(groups, ["BalancerSecurityGroup", "DatabaseSecurityGroup", "WebSecurityGroup"],
       "security groups")
    # EC2 removes its default egress rule (any protocol, anywhere) only from
    # a group whose own SecurityGroupEgress names a rule; a separate
    # AWS::EC2::SecurityGroupEgress does not remove it.
    for g in groups:
        check(r[g]["Properties"].get("SecurityGroupEgress"),
              f"{g} names its egress (else EC2's allow-all stays)")
    port = r["TargetGroup"]["Properties"]["Port"]
    check("HealthCheckPort" not in r["TargetGroup"]["Properties"],
          "health checks on the traffic port, which the balancer's egress allows")
    eq(sg_rules(r, "BalancerSecurityGroup", "Egress"),
       {("tcp", port, port, ("group", "WebSecurityGroup"))},
       "the balancer reaches the instances' HTTP port, nothing else")
    eq(sg_rules(r, "WebSecurityGroup", "Egress"),
       {("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 3306, 3306, ("group", "DatabaseSecurityGroup"))},
       "the instances reach HTTPS and the database, nothing else (no plain HTTP)")
    db_egress = sg_rules(r, "DatabaseSecurityGroup", "Egress")
    check(db_egress and all(peer == "127.0.0.1/32" for *_, peer in db_egress),
          f"the database reaches nothing (a loopback rule only): {db_egress}")
    # The ingress side stays as it was.
    eq(sg_rules(r, "BalancerSecurityGroup", "Ingress"),
       {("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 80, 80, "0.0.0.0/0")}, "the balancer's ingress")
    eq(sg_rules(r, "WebSecurityGroup", "Ingress"),
       {("tcp", port, port, ("group", "BalancerSecurityGroup"))}, "the instances' ingress")
    eq(sg_rules(r, "DatabaseSecurityGroup", "Ingress"),
       {("tcp", 3306, 3306, ("group", "WebSecurityGroup"))}, "the database's ingress")
    # No circle of security groups naming each other (CloudFormation refuses
    # the template): the rules pointing back up the chain stand apart.
    deps = {g: refs_in(r[g]["Properties"]) & set(groups) for g in groups}
    for g in groups:
        seen, todo = set(), list(deps[g])
        while todo:
            d = todo.pop()
            check(d != g, f"{g} depends on itself through {sorted(seen | {d})}")
            if d not in seen:
                seen.add(d)
                todo += deps[d]
    # What the boot asks over plain HTTP is only what no security group
    # filters (the metadata service) or stays on the instance (its own
    # lighttpd): port 80 need not leave the instances.
    setup = open(os.path.join(AWS, "memo-setup.sh")).read()
    plain = set(re.findall(r"http://([^/\s\"'}:]+)", setup))
    eq(plain - {"127.0.0.1", "169.254.169.254"}, set(), "memo-setup's plain-HTTP hosts")


def role_statements(role):
    """Every statement of a role's inline policies, a conditional one (!If)
    counted whichever way its condition goes."""
    out = []
    for policy in role["Policies"]:
        for st in policy["PolicyDocument"]["Statement"]:
            if isinstance(st, dict) and "!If" in st:
                out += [x for x in st["!If"][1:] if isinstance(x, dict) and "Effect" in x]
            else:
                out.append(st)
    return out


def as_list(value):
    return value if isinstance(value, list) else [value]


@test
def instance_role_ships_only_the_stacks_logs_and_metrics(env):
    """memo.yaml: no CloudWatchAgentServerPolicy; the agent may write the stack's own log groups (those cloudwatch-agent.json names) and its metrics' namespace, nothing else"""
    t = template()
    r = t["Resources"]
    role = r["InstanceRole"]["Properties"]
    managed = [str(a) for a in role.get("ManagedPolicyArns", [])]
    check(not any("CloudWatchAgentServerPolicy" in a for a in managed),
          f"no CloudWatchAgentServerPolicy (any log group, any namespace): {managed}")
    eq(len(managed), 1, f"managed policies: {managed}")
    check("AmazonSSMManagedInstanceCore" in managed[0], "Session Manager's policy kept")
    statements = role_statements(role)
    allows = [st for st in statements if st["Effect"] == "Allow"]
    for st in allows:
        for action in as_list(st["Action"]):
            check("*" not in action, f"{st.get('Sid')}: no wildcard action ({action})")
        # What names no resource is bounded by a condition, or only reads
        # (ec2:DescribeTags, elasticloadbalancing:DescribeTargetHealth).
        if "*" in as_list(st["Resource"]):
            check("Condition" in st or all(a.startswith(("ec2:Describe",
                                                         "elasticloadbalancing:Describe"))
                                           for a in as_list(st["Action"])),
                  f"{st.get('Sid')}: Resource * with no condition")

    agent = json.load(open(os.path.join(AWS, "cloudwatch-agent.json")))
    # The log groups the agent writes: the stack's own, by resource.
    shipped = {f["log_group_name"].replace("@STACK@", "${AWS::StackName}")
               for f in agent["logs"]["logs_collected"]["files"]["collect_list"]}
    groups = {v["Properties"]["LogGroupName"]["!Sub"]: k for k, v in r.items()
              if v["Type"] == "AWS::Logs::LogGroup"}
    check(shipped <= set(groups),
          f"every log group the agent ships to is the stack's: {shipped - set(groups)}")
    want = {f"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:${{{groups[g]}}}:*"
            for g in shipped}
    logs = [st for st in allows if any(a.startswith("logs:") for a in as_list(st["Action"]))]
    eq(len(logs), 1, "one statement for the logs")
    eq(sorted(as_list(logs[0]["Action"])),
       ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
       "the agent's log calls (no CreateLogGroup: the stack makes them)")
    eq({x.get("!Sub") if isinstance(x, dict) else x for x in as_list(logs[0]["Resource"])}, want,
       "the log groups the agent ships to, and their streams")
    # The metrics: the configuration's namespace only (the agent's default
    # is CWAgent), the one the instance alarms watch.
    namespace = agent["metrics"].get("namespace", "CWAgent")
    metrics = [st for st in allows if "cloudwatch:PutMetricData" in as_list(st["Action"])]
    eq([(as_list(st["Action"]), st.get("Condition")) for st in metrics],
       [(["cloudwatch:PutMetricData"], {"StringEquals": {"cloudwatch:namespace": namespace}})],
       "PutMetricData in the agent's namespace only")
    check(any(v["Type"] == "AWS::CloudWatch::Alarm" and v["Properties"]["Namespace"] == namespace
              for v in r.values()), "an alarm watches that namespace")
    # The dimensions it appends: the group's name comes from the instance's
    # tags (ec2:DescribeTags; InstanceId from the metadata service); a
    # VolumeId would need ec2:DescribeVolumes.
    actions = {a for st in allows for a in as_list(st["Action"])}
    dims = json.dumps(agent["metrics"].get("append_dimensions", {}))
    eq("ec2:DescribeTags" in actions, "${aws:AutoScalingGroupName}" in dims,
       "ec2:DescribeTags exactly when a dimension needs it")
    eq("ec2:DescribeVolumes" in actions, "VolumeId" in json.dumps(agent["metrics"]),
       "ec2:DescribeVolumes exactly when a dimension needs it")
    check(not any(a.startswith(("cloudwatch:", "logs:", "ec2:")) for a in actions
                  - {"cloudwatch:PutMetricData", "ec2:DescribeTags", "logs:CreateLogStream",
                     "logs:PutLogEvents", "logs:DescribeLogStreams"}),
          f"no other CloudWatch, Logs or EC2 call: {sorted(actions)}")


@test
def root_volumes_are_encrypted(env):
    """memo.yaml: the launch template encrypts every instance's root volume, whatever the AMI (an unencrypted one, an older one a roll-back deploys)"""
    t = template()
    lt = t["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    mappings = lt.get("BlockDeviceMappings", [])
    eq(len(mappings), 1, f"one block device mapping, the root's: {mappings}")
    root = mappings[0]
    ebs = root.get("Ebs", {})
    eq((ebs.get("Encrypted"), ebs.get("DeleteOnTermination"), ebs.get("VolumeType")),
       (True, True, "gp3"), "the root volume: encrypted, gp3, deleted with its instance")
    # The AMI's snapshot and size: with neither SnapshotId nor VolumeSize a
    # device the AMI lacks is refused by EC2 (no instance starts), never
    # added as an empty disk beside an unencrypted root.
    check("SnapshotId" not in ebs and "VolumeSize" not in ebs and "NoDevice" not in root,
          f"the root keeps the AMI's snapshot and size: {root}")
    # The device is the AMI's root: Debian 12's (bake-ami.sh's builder) by
    # default, a parameter for another image.
    device = root["DeviceName"]
    name = ref_name(device)
    if name:
        p = t["Parameters"][name]
        eq(p.get("Default"), "/dev/xvda", f"{name}: Debian 12's root device by default")
        pattern = p["AllowedPattern"]
        check(re.fullmatch(pattern, "/dev/xvda") and re.fullmatch(pattern, "/dev/sda1")
              and not re.fullmatch(pattern, "xvda"), f"{name}: a device name")
    else:
        eq(device, "/dev/xvda", "Debian 12's root device")
    # Every parameter is in one of the console's groups, and section 3's
    # roll-out keeps it (the moto test runs that; this says so without moto).
    grouped = [x for g in t["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
               for x in g["Parameters"]]
    eq(sorted(grouped), sorted(t["Parameters"]), "each parameter in one parameter group")
    rollout = "\n".join(readme_sections()[RUN_SECTIONS[1]])
    kept = set(re.findall(r"\b([A-Z][A-Za-z]+)\b", rollout))
    eq(sorted(set(t["Parameters"]) - kept - {"AmiId"}), [], "parameters the roll-out keeps")


@test
def stack_deploys_into_moto(env):
    """memo.yaml deploys into moto_server: CREATE_COMPLETE, every output, and the settings read back from the emulated services"""
    need_moto()
    moto = Moto(os.path.join(env.base, "moto-deploy"))
    try:
        v = network(moto)
        cf = moto.client("cloudformation")
        params = {"VpcId": v["VPC"], "PublicSubnetIds": v["PUBLIC_SUBNETS"],
                  "PrivateSubnetIds": v["PRIVATE_SUBNETS"], "BalancerSubnetCidrs": v["PUBLIC_CIDRS"],
                  "DomainName": v["DOMAIN"], "CertificateArn": v["CERT_ARN"], "AmiId": v["AMI"],
                  "MemoMode": "fastcgi", "TrashDays": "45"}
        cf.create_stack(StackName="memo", TemplateBody=open(TEMPLATE).read(),
                        Capabilities=["CAPABILITY_IAM"],
                        Parameters=[{"ParameterKey": k, "ParameterValue": x}
                                    for k, x in params.items()])
        deadline = time.monotonic() + 60
        while stack_state(moto, "memo")[0].endswith("IN_PROGRESS"):
            check(time.monotonic() < deadline, "the stack completes within 60 s")
            time.sleep(0.5)
        status, outputs = stack_state(moto, "memo")
        eq(status, "CREATE_COMPLETE", "stack status")
        eq(sorted(outputs), sorted(template()["Outputs"]), "every output is there")
        check(outputs["BalancerDnsName"].endswith(".elb.amazonaws.com"), outputs["BalancerDnsName"])
        eq(outputs["SiteUrl"], "https://memo.example.com/", "site URL")

        # moto takes the balancer's attributes (deletion protection, invalid
        # headers, access logs) without applying them: the template test
        # checks those.
        elb = moto.client("elbv2")
        lb = elb.describe_load_balancers()["LoadBalancers"][0]
        eq((lb["Type"], lb["Scheme"]), ("application", "internet-facing"), "balancer")
        listeners = {x["Port"]: x for x in elb.describe_listeners(
            LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
        eq((listeners[443]["Protocol"], listeners[80]["DefaultActions"][0]["Type"]),
           ("HTTPS", "redirect"), "listeners")
        tg = elb.describe_target_groups(TargetGroupArns=[outputs["TargetGroupArn"]])["TargetGroups"][0]
        eq(tg["HealthCheckPath"], "/health/live", "target group health check")

        asg = moto.client("autoscaling").describe_auto_scaling_groups(
            AutoScalingGroupNames=[outputs["GroupName"]])["AutoScalingGroups"][0]
        eq((asg["LaunchTemplate"]["Version"], asg["HealthCheckType"]), ("1", "ELB"),
           "the group runs launch template version 1 (not $Latest)")
        ver = moto.client("ec2").describe_launch_template_versions(
            LaunchTemplateId=asg["LaunchTemplate"]["LaunchTemplateId"])["LaunchTemplateVersions"][0]
        data = ver["LaunchTemplateData"]
        eq((data["ImageId"], data["MetadataOptions"]["HttpTokens"]), (v["AMI"], "required"),
           "launch template")
        root = data["BlockDeviceMappings"]
        eq([(b["DeviceName"], b["Ebs"].get("Encrypted")) for b in root], [("/dev/xvda", True)],
           "the root volume encrypted")
        user_data = base64.b64decode(data["UserData"]).decode()
        check("export MEMO_MODE='fastcgi'" in user_data and
              f"export DB_HOST='{outputs['DatabaseEndpoint']}'" in user_data and
              "export MEMO_FORWARDERS='10.0.0.0/24,10.0.1.0/24'" in user_data and
              "export TRASH_DAYS='45'" in user_data and
              "exec /usr/local/sbin/memo-setup boot" in user_data, user_data)

        db = moto.client("rds").describe_db_instances(
            DBInstanceIdentifier=outputs["DatabaseInstance"])["DBInstances"][0]
        # moto drops DeletionProtection and the log exports when CloudFormation
        # creates the instance: the template test checks those.
        eq((db["Engine"], db["EngineVersion"][:4], db["MultiAZ"], db["StorageEncrypted"],
            db["DBInstanceClass"]), ("mysql", "8.4.", True, True, "db.t4g.small"), "database")
        groups = [g["DBParameterGroupName"] for g in db["DBParameterGroups"]]
        params = moto.client("rds").describe_db_parameters(DBParameterGroupName=groups[0])
        eq({p["ParameterName"]: p.get("ParameterValue") for p in params["Parameters"]
            }.get("require_secure_transport"), "1", "TLS required")
        iam = moto.client("iam")
        role = [x for x in iam.list_roles()["Roles"] if "InstanceRole" in x["RoleName"]][0]

        def sids(name):
            doc = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=name)["PolicyDocument"]
            if isinstance(doc, str):    # moto answers a Python repr of the dict
                doc = json.loads(doc) if doc.startswith('{"') else ast.literal_eval(doc)
            return {st.get("Sid") for st in doc["Statement"]}
        eq(sids("memo-boot"), {"NaverSettings", "NoOtherParameters", "DecryptSecureStrings",
                               "DatabaseUsers", "FindMasterSecret",
                               "ReadMasterSecret", "SignalBoot", "ReportOwnHealth",
                               "AskBalancerHealth"},
           "the role's own policy")
        eq(sids("memo-cloudwatch-agent"), {"ShipLogs", "PublishMetrics", "ReadOwnTags"},
           "the CloudWatch agent's policy")
        print(f"    saw: CREATE_COMPLETE with {len(outputs)} outputs; resource types moto "
              f"accepted without creating them: {', '.join(moto.unsupported()) or 'none'}")
    finally:
        moto.stop()


@test
def readme_deploy_rollout_rollback_against_moto(env):
    """deploy/aws/README.md: Deploy, Roll out and Roll back run as written against moto_server"""
    need_moto()
    work = os.path.join(env.base, "moto-readme")
    shutil.rmtree(work, ignore_errors=True)
    moto = Moto(work)
    try:
        v = network(moto)
        run_section(moto, v, RUN_SECTIONS[0], work)
        status, outputs = stack_state(moto, v["STACK"])
        eq((status, sorted(outputs)), ("CREATE_COMPLETE", sorted(template()["Outputs"])),
           "deployed with its outputs")
        ec2 = moto.client("ec2")

        def running_ami():
            status, outputs = stack_state(moto, v["STACK"])
            lt = moto.client("autoscaling").describe_auto_scaling_groups(
                AutoScalingGroupNames=[outputs["GroupName"]])["AutoScalingGroups"][0]["LaunchTemplate"]
            version = outputs["LaunchTemplateVersion"]
            data = ec2.describe_launch_template_versions(
                LaunchTemplateId=lt["LaunchTemplateId"], Versions=[version]
            )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
            return status, version, data["ImageId"]

        eq(running_ami(), ("CREATE_COMPLETE", "1", v["AMI"]), "first version")
        run_section(moto, dict(v, AMI=v["NEW_AMI"]), RUN_SECTIONS[1], work)
        eq(running_ami(), ("UPDATE_COMPLETE", "2", v["NEW_AMI"]), "rolled out")
        run_section(moto, dict(v, AMI=v["NEW_AMI"], PREVIOUS_AMI=v["AMI"]), RUN_SECTIONS[2], work)
        eq(running_ami(), ("UPDATE_COMPLETE", "3", v["AMI"]), "rolled back")
        # Every parameter an update keeps must be named, or it would fall
        # back to its default.
        rollout = "\n".join(readme_sections()[RUN_SECTIONS[1]])
        kept = set(re.findall(r"\b([A-Z][A-Za-z]+)\b", rollout))
        missing = sorted(set(template()["Parameters"]) - kept - {"AmiId"})
        eq(missing, [], "parameters the roll-out keeps")
        print("    saw: create, roll out (launch template version 2, new AMI), roll back "
              "(version 3, the first AMI); moto keeps the group's own launch template "
              "version as created (it does not re-resolve it on update): the rolling "
              "update itself only AWS shows")
    finally:
        moto.stop()
