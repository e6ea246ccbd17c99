"""CloudWatch Logs through the aws cli: the calls a user makes by hand
(create-log-group, put-retention-policy, describe-log-groups, tags,
create-log-stream, put-log-events, get-log-events, filter-log-events,
delete-log-group) and an error as the cli prints it."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from clients import aws  # noqa: E402
from emu import Emulator  # noqa: E402


class TestLogsCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def cli(self, *args):
        out = aws(self.emu, "logs", *args)
        return json.loads(out.stdout) if out.stdout.strip() else None

    def test_cli_round_trip(self):
        g = "/aws/lambda/cli-fn"
        self.cli("create-log-group", "--log-group-name", g, "--tags", "a=1")
        self.cli("put-retention-policy", "--log-group-name", g, "--retention-in-days", "30")
        groups = self.cli("describe-log-groups", "--log-group-name-prefix", "/aws/lambda/")["logGroups"]
        self.assertEqual([(x["logGroupName"], x["retentionInDays"]) for x in groups], [(g, 30)])
        arn = groups[0]["logGroupArn"]
        self.cli("tag-resource", "--resource-arn", arn, "--tags", "b=2")
        self.assertEqual(self.cli("list-tags-for-resource", "--resource-arn", arn)["tags"],
                         {"a": "1", "b": "2"})
        self.cli("create-log-stream", "--log-group-name", g, "--log-stream-name", "s")
        now = int(time.time() * 1000)
        self.cli("put-log-events", "--log-group-name", g, "--log-stream-name", "s", "--log-events",
                 "timestamp=%d,message=first" % now, "timestamp=%d,message=second" % (now + 1))
        ev = self.cli("get-log-events", "--log-group-name", g, "--log-stream-name", "s",
                      "--start-from-head")["events"]
        self.assertEqual([e["message"] for e in ev], ["first", "second"])
        ev = self.cli("filter-log-events", "--log-group-name", g, "--filter-pattern", "sec")["events"]
        self.assertEqual([(e["logStreamName"], e["message"]) for e in ev], [("s", "second")])
        streams = self.cli("describe-log-streams", "--log-group-name", g)["logStreams"]
        self.assertEqual(streams[0]["lastEventTimestamp"], now + 1)
        self.cli("delete-log-group", "--log-group-name", g)
        out = aws(self.emu, "logs", "describe-log-streams", "--log-group-name", g, check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("ResourceNotFoundException", out.stderr)
        self.assertIn("The specified log group does not exist.", out.stderr)


if __name__ == "__main__":
    unittest.main()
