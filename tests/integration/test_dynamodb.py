"""DynamoDB on the wire: JSON 1.0 framing, x-amz-crc32, the exact __type
of errors, bad JSON, unknown operations, state across a restart, and the
admin reset/resources hooks."""
import json
import os
import unittest
import zlib

from emu import Emulator

TARGET = "DynamoDB_20120810."


def call(emu, op, body):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, headers, data = emu.http("POST", "/", body=raw, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": TARGET + op})
    return status, headers, json.loads(data) if data else None


def make_table(emu, name="wire"):
    return call(emu, "CreateTable", {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"},
                                 {"AttributeName": "n", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"},
                      {"AttributeName": "n", "KeyType": "RANGE"}]})


class DynamoDBWire(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        # a clean SIGTERM exit, and no sanitizer report under SANITIZE=1
        assert rc == 0 and "Sanitizer" not in cls.emu.logs(), (rc, cls.emu.logs()[-3000:])

    def setUp(self):
        self.emu.http("POST", "/_emulator/reset")

    def test_crc32_and_content_type(self):
        status, headers, body = make_table(self.emu)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/x-amz-json-1.0")
        status, headers, data = self.emu.http("POST", "/", body=b'{"TableName":"wire"}', headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": TARGET + "DescribeTable"})
        self.assertEqual(int(headers["x-amz-crc32"]), zlib.crc32(data))
        self.assertEqual(json.loads(data)["Table"]["TableStatus"], "ACTIVE")

    def test_error_types(self):
        status, _, body = call(self.emu, "DescribeTable", {"TableName": "missing"})
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException")
        self.assertEqual(body["message"], "Requested resource not found: Table: missing not found")
        status, _, body = call(self.emu, "ListTables", {"Limit": 0})
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "com.amazon.coral.validate#ValidationException")
        status, _, body = call(self.emu, "PutItem", b"{not json")
        self.assertEqual(status, 400)
        self.assertTrue(body["__type"].endswith("#SerializationException"), body)
        status, _, body = call(self.emu, "NoSuchOperation", {})
        self.assertEqual(status, 400)
        self.assertTrue(body["__type"].endswith("#UnknownOperationException"), body)

    def test_condition_failure_body_carries_item(self):
        make_table(self.emu)
        item = {"k": {"S": "a"}, "n": {"N": "1"}, "v": {"S": "x"}}
        self.assertEqual(call(self.emu, "PutItem", {"TableName": "wire", "Item": item})[0], 200)
        status, _, body = call(self.emu, "PutItem", {
            "TableName": "wire", "Item": item, "ConditionExpression": "attribute_not_exists(k)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"],
                         "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException")
        self.assertEqual(body["Item"], item)

    def test_sort_order_of_numbers_and_binary(self):
        make_table(self.emu)
        nums = ["-1e10", "-3.5", "-3.25", "0", "1e-5", "0.5", "2", "10", "1E+20"]
        for n in nums:
            call(self.emu, "PutItem", {"TableName": "wire", "Item": {"k": {"S": "p"}, "n": {"N": n}}})
        _, _, body = call(self.emu, "Query", {
            "TableName": "wire", "KeyConditionExpression": "k = :k",
            "ExpressionAttributeValues": {":k": {"S": "p"}}})
        self.assertEqual([i["n"]["N"] for i in body["Items"]],
                         ["-10000000000", "-3.5", "-3.25", "0", "0.00001", "0.5", "2", "10",
                          "100000000000000000000"])
        _, _, body = call(self.emu, "Query", {
            "TableName": "wire", "KeyConditionExpression": "k = :k AND n < :z",
            "ExpressionAttributeValues": {":k": {"S": "p"}, ":z": {"N": "-3.3"}}})
        self.assertEqual([i["n"]["N"] for i in body["Items"]], ["-10000000000", "-3.5"])

    def test_item_size_limit(self):
        make_table(self.emu)
        status, _, body = call(self.emu, "PutItem", {"TableName": "wire", "Item": {
            "k": {"S": "a"}, "n": {"N": "1"}, "big": {"S": "x" * 409600}}})
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "Item size has exceeded the maximum allowed size")

    def test_reset_and_resources(self):
        make_table(self.emu, "res1")
        call(self.emu, "PutItem", {"TableName": "res1", "Item": {"k": {"S": "a"}, "n": {"N": "1"}}})
        status, _, data = self.emu.http("GET", "/_emulator/resources")
        self.assertEqual(status, 200)
        self.assertIn({"name": "res1", "items": 1}, json.loads(data)["dynamodb"]["tables"])
        self.emu.http("POST", "/_emulator/reset")
        _, _, body = call(self.emu, "ListTables", {})
        self.assertEqual(body["TableNames"], [])


class DynamoDBRestart(unittest.TestCase):
    def test_state_survives_restart_and_sigterm_exits_0(self):
        emu = Emulator(keep_data=True).start()
        try:
            make_table(emu, "durable")
            call(emu, "PutItem", {"TableName": "durable", "Item": {"k": {"S": "a"}, "n": {"N": "7"}}})
            self.assertEqual(emu.stop(), 0)
            emu2 = Emulator(data_dir=emu.data_dir).start()
            try:
                _, _, body = call(emu2, "GetItem", {"TableName": "durable",
                                                    "Key": {"k": {"S": "a"}, "n": {"N": "7"}}})
                self.assertEqual(body["Item"]["n"], {"N": "7"})
            finally:
                self.assertEqual(emu2.stop(), 0)
        finally:
            import shutil
            shutil.rmtree(emu.data_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
