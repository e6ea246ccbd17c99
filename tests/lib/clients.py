"""Real AWS clients pointed at an emulator, and the checks that say
clearly which one a machine lacks (a missing client skips, visibly)."""
import os
import shutil
import subprocess
import unittest

CREDS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    # never read the developer's own files
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def need_aws_cli():
    if not shutil.which("aws"):
        raise unittest.SkipTest("needs the aws cli (`aws` on PATH): not installed")


def need_boto3():
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise unittest.SkipTest("needs boto3 for %s: not installed" % os.sys.executable)


def aws(emu, *args, secret=None, check=True):
    """Run `aws --endpoint-url <emu> ARGS`; returns CompletedProcess."""
    need_aws_cli()
    env = dict(os.environ, **CREDS)
    if secret is not None:
        env["AWS_SECRET_ACCESS_KEY"] = secret
    cmd = ["aws", "--endpoint-url", emu.endpoint, "--output", "json"] + list(args)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if check and out.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s%s" % (" ".join(cmd), out.returncode,
                                                        out.stdout, out.stderr))
    return out


def boto3_client(emu, service, secret="test"):
    need_boto3()
    import boto3
    from botocore.config import Config
    return boto3.client(
        service, endpoint_url=emu.endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}))
