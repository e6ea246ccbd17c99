"""CloudWatch Logs through boto3: groups (prefix, pagination, retention,
tags of both generations), streams, PutLogEvents/GetLogEvents tokens,
FilterLogEvents terms, AWS's error codes; and Lambda invocations landing
in /aws/lambda/<function> and /_emulator/logs."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures", "lambda"))
import fixtures  # noqa: E402
from clients import boto3_client  # noqa: E402
from emu import Emulator  # noqa: E402

ACCT = "123456789012"


class TestLogs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()
        cls.c = boto3_client(cls.emu, "logs")

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def error(self, fn, **kw):
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return cm.exception.response

    def test_group_lifecycle_terraform(self):
        name = "/aws/lambda/tf-group"
        self.c.create_log_group(logGroupName=name, tags={"env": "dev"})
        err = self.error(self.c.create_log_group, logGroupName=name)
        self.assertEqual(err["Error"]["Code"], "ResourceAlreadyExistsException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.c.put_retention_policy(logGroupName=name, retentionInDays=14)
        g = self.c.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        self.assertEqual(len(g), 1)
        self.assertEqual(g[0]["logGroupName"], name)
        self.assertEqual(g[0]["retentionInDays"], 14)
        arn = "arn:aws:logs:us-east-1:%s:log-group:%s" % (ACCT, name)
        self.assertEqual(g[0]["arn"], arn + ":*")
        self.assertEqual(g[0]["logGroupArn"], arn)
        self.assertIsInstance(g[0]["creationTime"], int)
        self.assertEqual(self.c.list_tags_for_resource(resourceArn=arn)["tags"], {"env": "dev"})
        self.c.tag_resource(resourceArn=arn, tags={"team": "img"})
        self.c.untag_resource(resourceArn=arn, tagKeys=["env"])
        self.assertEqual(self.c.list_tags_log_group(logGroupName=name)["tags"], {"team": "img"})
        self.c.delete_retention_policy(logGroupName=name)
        g = self.c.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        self.assertNotIn("retentionInDays", g[0])
        self.c.delete_log_group(logGroupName=name)
        self.assertEqual(self.c.describe_log_groups(logGroupNamePrefix=name)["logGroups"], [])
        err = self.error(self.c.delete_log_group, logGroupName=name)
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Error"]["Message"], "The specified log group does not exist.")
        err = self.error(self.c.list_tags_for_resource, resourceArn=arn)
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_bad_inputs(self):
        err = self.error(self.c.create_log_group, logGroupName="bad name!")
        self.assertEqual(err["Error"]["Code"], "InvalidParameterException")
        self.c.create_log_group(logGroupName="ret")
        err = self.error(self.c.put_retention_policy, logGroupName="ret", retentionInDays=4)
        self.assertEqual(err["Error"]["Code"], "InvalidParameterException")
        self.assertIn("enum value set", err["Error"]["Message"])
        err = self.error(self.c.put_retention_policy, logGroupName="nope", retentionInDays=7)
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_describe_pagination(self):
        for i in range(7):
            self.c.create_log_group(logGroupName="page/g%d" % i)
        out = self.c.describe_log_groups(logGroupNamePrefix="page/", limit=3)
        self.assertEqual([g["logGroupName"] for g in out["logGroups"]],
                         ["page/g0", "page/g1", "page/g2"])
        self.assertIn("nextToken", out)
        pages = self.c.get_paginator("describe_log_groups").paginate(
            logGroupNamePrefix="page/", PaginationConfig={"PageSize": 2})
        names = [g["logGroupName"] for p in pages for g in p["logGroups"]]
        self.assertEqual(names, ["page/g%d" % i for i in range(7)])

    def test_streams_and_events(self):
        g = "app/events"
        self.c.create_log_group(logGroupName=g)
        err = self.error(self.c.create_log_stream, logGroupName="missing", logStreamName="s")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.c.create_log_stream(logGroupName=g, logStreamName="s1")
        self.c.create_log_stream(logGroupName=g, logStreamName="s2")
        err = self.error(self.c.create_log_stream, logGroupName=g, logStreamName="s1")
        self.assertEqual(err["Error"]["Code"], "ResourceAlreadyExistsException")
        err = self.error(self.c.put_log_events, logGroupName=g, logStreamName="s9",
                         logEvents=[{"timestamp": 1, "message": "x"}])
        self.assertEqual(err["Error"]["Message"], "The specified log stream does not exist.")
        now = int(time.time() * 1000)
        err = self.error(self.c.put_log_events, logGroupName=g, logStreamName="s1",
                         logEvents=[{"timestamp": now, "message": "b"},
                                    {"timestamp": now - 5, "message": "a"}])
        self.assertEqual(err["Error"]["Code"], "InvalidParameterException")
        out = self.c.put_log_events(logGroupName=g, logStreamName="s1", logEvents=[
            {"timestamp": now + i, "message": "line %d ERROR disk" % i if i % 2 else "line %d ok" % i}
            for i in range(5)])
        self.assertIn("nextSequenceToken", out)
        self.c.put_log_events(logGroupName=g, logStreamName="s2",
                              logEvents=[{"timestamp": now + 10, "message": "other ERROR"}])
        # GetLogEvents from the head, then follow the forward token.
        out = self.c.get_log_events(logGroupName=g, logStreamName="s1", startFromHead=True, limit=2)
        self.assertEqual([e["message"] for e in out["events"]], ["line 0 ok", "line 1 ERROR disk"])
        out2 = self.c.get_log_events(logGroupName=g, logStreamName="s1",
                                     nextToken=out["nextForwardToken"], limit=10)
        self.assertEqual(len(out2["events"]), 3)
        out3 = self.c.get_log_events(logGroupName=g, logStreamName="s1",
                                     nextToken=out2["nextForwardToken"])
        self.assertEqual(out3["events"], [])
        self.assertEqual(out3["nextForwardToken"], out2["nextForwardToken"])
        # Default: the newest events.
        out = self.c.get_log_events(logGroupName=g, logStreamName="s1", limit=2)
        self.assertEqual([e["message"] for e in out["events"]], ["line 3 ERROR disk", "line 4 ok"])
        back = self.c.get_log_events(logGroupName=g, logStreamName="s1",
                                     nextToken=out["nextBackwardToken"], limit=2)
        self.assertEqual([e["message"] for e in back["events"]], ["line 1 ERROR disk", "line 2 ok"])
        # Time range.
        out = self.c.get_log_events(logGroupName=g, logStreamName="s1", startTime=now + 1,
                                    endTime=now + 3, startFromHead=True)
        self.assertEqual([e["timestamp"] for e in out["events"]], [now + 1, now + 2])
        # Streams.
        ss = self.c.describe_log_streams(logGroupName=g)["logStreams"]
        self.assertEqual([s["logStreamName"] for s in ss], ["s1", "s2"])
        self.assertEqual(ss[0]["firstEventTimestamp"], now)
        self.assertEqual(ss[0]["lastEventTimestamp"], now + 4)
        ss = self.c.describe_log_streams(logGroupName=g, orderBy="LastEventTime",
                                         descending=True)["logStreams"]
        self.assertEqual(ss[0]["logStreamName"], "s2")
        err = self.error(self.c.describe_log_streams, logGroupName=g, orderBy="LastEventTime",
                         logStreamNamePrefix="s")
        self.assertEqual(err["Error"]["Code"], "InvalidParameterException")
        # Filter.
        out = self.c.filter_log_events(logGroupName=g, filterPattern="ERROR")
        self.assertEqual([e["message"] for e in out["events"]],
                         ["line 1 ERROR disk", "line 3 ERROR disk", "other ERROR"])
        self.assertEqual(out["events"][2]["logStreamName"], "s2")
        out = self.c.filter_log_events(logGroupName=g, filterPattern='"ERROR disk"',
                                       logStreamNames=["s1"], limit=1)
        self.assertEqual([e["message"] for e in out["events"]], ["line 1 ERROR disk"])
        out = self.c.filter_log_events(logGroupName=g, filterPattern='"ERROR disk"',
                                       logStreamNames=["s1"], nextToken=out["nextToken"])
        self.assertEqual([e["message"] for e in out["events"]], ["line 3 ERROR disk"])
        self.assertNotIn("nextToken", out)
        self.c.delete_log_stream(logGroupName=g, logStreamName="s2")
        self.assertEqual(len(self.c.filter_log_events(logGroupName=g, filterPattern="other")["events"]), 0)


class TestLambdaLogs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()
        cls.lam = boto3_client(cls.emu, "lambda")
        cls.logs = boto3_client(cls.emu, "logs")
        fixtures.create(cls.lam, "logged", Timeout=10)

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def test_invocation_lands_in_group(self):
        out = self.lam.invoke(FunctionName="logged", Payload=json.dumps({"action": "print"}, separators=(",", ":")))
        rid = out["ResponseMetadata"]["RequestId"]
        group = "/aws/lambda/logged"
        streams = self.logs.describe_log_streams(logGroupName=group)["logStreams"]
        self.assertEqual(len(streams), 1)
        self.assertRegex(streams[0]["logStreamName"], r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{16}$")
        ev = self.logs.get_log_events(logGroupName=group, logStreamName=streams[0]["logStreamName"],
                                      startFromHead=True)["events"]
        msgs = [e["message"] for e in ev]
        self.assertEqual(msgs[0], "START RequestId: %s Version: $LATEST\n" % rid)
        self.assertIn("hello from stdout %s\n" % rid, msgs)
        self.assertTrue(any(m.startswith("END RequestId: %s" % rid) for m in msgs))
        self.assertTrue(msgs[-1].startswith("REPORT RequestId: %s\tDuration:" % rid))
        found = self.logs.filter_log_events(logGroupName=group, filterPattern="hello from stderr")
        self.assertEqual(len(found["events"]), 1)
        status, _, body = self.emu.http("GET", "/_emulator/logs?function=logged")
        self.assertEqual(status, 200)
        doc = json.loads(body)
        self.assertEqual(doc["logGroupName"], group)
        self.assertEqual([e["message"] for e in doc["events"]][-len(msgs):], msgs)
        status, _, _ = self.emu.http("GET", "/_emulator/logs?function=nope")
        self.assertEqual(status, 404)
        status, _, _ = self.emu.http("GET", "/_emulator/logs")
        self.assertEqual(status, 400)


if __name__ == "__main__":
    unittest.main()
