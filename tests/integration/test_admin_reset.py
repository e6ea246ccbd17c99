"""POST /_emulator/reset wipes the state of every service, and the
services keep working afterwards (resources seen through real clients)."""
import json
import socket
import unittest

from clients import boto3_client
from emu import Emulator


def redis_cmd(port, *args):
    """One RESP command on a fresh connection; the raw reply bytes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        req = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode()
            req += b"$%d\r\n%s\r\n" % (len(a), a)
        s.sendall(req)
        return s.recv(65536)
    finally:
        s.close()


class TestReset(unittest.TestCase):
    def test_reset_wipes_every_service(self):
        with Emulator() as emu:
            s3 = boto3_client(emu, "s3")
            ddb = boto3_client(emu, "dynamodb")
            sns = boto3_client(emu, "sns")
            s3.create_bucket(Bucket="keep-me-not")
            s3.put_object(Bucket="keep-me-not", Key="a", Body=b"x")
            ddb.create_table(TableName="reset-table", BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
            sns.create_topic(Name="topic")
            self.assertEqual(redis_cmd(emu.redis_port, "SET", "k", "v"), b"+OK\r\n")

            status, _, body = emu.http("POST", "/_emulator/reset")
            self.assertEqual(status, 200, body)
            done = json.loads(body)["reset"]
            for svc in ("s3", "dynamodb", "sns", "lambda", "redis"):
                self.assertIn(svc, done)

            self.assertEqual(s3.list_buckets()["Buckets"], [])
            self.assertEqual(ddb.list_tables()["TableNames"], [])
            self.assertEqual(sns.list_topics()["Topics"], [])
            self.assertEqual(redis_cmd(emu.redis_port, "DBSIZE"), b":0\r\n")
            # and everything still works after the wipe
            s3.create_bucket(Bucket="keep-me-not")
            self.assertEqual([b["Name"] for b in s3.list_buckets()["Buckets"]], ["keep-me-not"])
        self.assertEqual(emu.proc.returncode, 0, emu.logs())


if __name__ == "__main__":
    unittest.main()
