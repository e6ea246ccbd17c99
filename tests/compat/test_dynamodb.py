"""DynamoDB through boto3 (client and resource APIs) and the aws cli:
the pipeline's table (CreateTable body as Terraform sends it), the calls
Terraform makes, items with conditions and updates, Query on the table
and the GSI, Scan, batches, transactions, TTL."""
import json
import time
import unittest
from decimal import Decimal

from clients import aws, boto3_client, need_boto3
from emu import Emulator

TABLE = "imgpipe-images"
ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/" + TABLE


def create_pipeline_table(c, name=TABLE):
    return c.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "created_at", "AttributeType": "S"},
            {"AttributeName": "image_id", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "status-created_at-index",
            "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                          {"AttributeName": "created_at", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])


class DynamoDBCompat(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need_boto3()
        cls.emu = Emulator(env={"IMGPIPE_DDB_TTL_INTERVAL_MS": "200"}).start()
        cls.c = boto3_client(cls.emu, "dynamodb")

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        # a clean SIGTERM exit, and no sanitizer report under SANITIZE=1
        assert rc == 0 and "Sanitizer" not in cls.emu.logs(), (rc, cls.emu.logs()[-3000:])

    def setUp(self):
        self.emu.http("POST", "/_emulator/reset")

    def err(self, fn, **kw):
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return cm.exception.response

    # -- control plane, as Terraform drives it ---------------------------
    def test_terraform_table_lifecycle(self):
        d = create_pipeline_table(self.c)["TableDescription"]
        self.assertEqual(d["TableArn"], ARN)
        self.c.get_waiter("table_exists").wait(TableName=TABLE)
        t = self.c.describe_table(TableName=TABLE)["Table"]
        self.assertEqual(t["TableStatus"], "ACTIVE")
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        gsi = t["GlobalSecondaryIndexes"][0]
        self.assertEqual(gsi["IndexStatus"], "ACTIVE")
        self.assertEqual(gsi["Projection"], {"ProjectionType": "ALL"})
        self.assertEqual(t["ItemCount"], 0)
        self.assertEqual(self.c.describe_time_to_live(TableName=TABLE)
                         ["TimeToLiveDescription"], {"TimeToLiveStatus": "DISABLED"})
        cb = self.c.describe_continuous_backups(TableName=TABLE)["ContinuousBackupsDescription"]
        self.assertEqual(cb["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "DISABLED")
        self.assertEqual(self.c.list_tags_of_resource(ResourceArn=ARN)["Tags"], [])
        self.c.tag_resource(ResourceArn=ARN, Tags=[{"Key": "env", "Value": "dev"}])
        self.assertEqual(self.c.list_tags_of_resource(ResourceArn=ARN)["Tags"],
                         [{"Key": "env", "Value": "dev"}])
        self.c.untag_resource(ResourceArn=ARN, TagKeys=["env"])
        self.assertEqual(self.c.list_tags_of_resource(ResourceArn=ARN)["Tags"], [])
        r = self.err(create_pipeline_table, c=self.c)
        self.assertEqual(r["Error"]["Code"], "ResourceInUseException")
        self.assertEqual(r["Error"]["Message"], "Table already exists: " + TABLE)
        self.c.delete_table(TableName=TABLE)
        r = self.err(self.c.describe_table, TableName=TABLE)
        self.assertEqual(r["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.c.get_waiter("table_not_exists").wait(TableName=TABLE)

    def test_list_tables_paginates(self):
        for i in range(5):
            self.c.create_table(TableName="t%02d" % i, BillingMode="PAY_PER_REQUEST",
                                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                                KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
        page = self.c.list_tables(Limit=2)
        self.assertEqual(page["TableNames"], ["t00", "t01"])
        self.assertEqual(page["LastEvaluatedTableName"], "t01")
        names = [n for p in self.c.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2})
                 for n in p["TableNames"]]
        self.assertEqual(names, ["t%02d" % i for i in range(5)])

    def test_create_table_validation(self):
        r = self.err(self.c.create_table, TableName="bad", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "x", "KeyType": "HASH"}])
        self.assertEqual(r["Error"]["Code"], "ValidationException")
        self.assertIn("Some index key attributes are not defined in AttributeDefinitions",
                      r["Error"]["Message"])
        r = self.err(self.c.create_table, TableName="bad",
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
        self.assertIn("ReadCapacityUnits and WriteCapacityUnits must both be specified",
                      r["Error"]["Message"])

    def test_update_table_adds_gsi_with_backfill(self):
        self.c.create_table(TableName="utab", BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
        for i in range(3):
            self.c.put_item(TableName="utab", Item={"k": {"S": str(i)}, "g": {"S": "x"}, "n": {"N": str(i)}})
        self.c.update_table(TableName="utab", AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                            GlobalSecondaryIndexUpdates=[{"Create": {
                                "IndexName": "g-idx", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
        r = self.c.query(TableName="utab", IndexName="g-idx", KeyConditionExpression="g = :g",
                         ExpressionAttributeValues={":g": {"S": "x"}})
        self.assertEqual(r["Count"], 3)
        self.assertEqual(sorted(r["Items"][0].keys()), ["g", "k"])
        self.c.update_table(TableName="utab", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "g-idx"}}])
        self.assertNotIn("GlobalSecondaryIndexes", self.c.describe_table(TableName="utab")["Table"])

    # -- items -------------------------------------------------------------
    def test_put_get_conditions_and_messages(self):
        create_pipeline_table(self.c)
        item = {"image_id": {"S": "img1"}, "status": {"S": "processed"},
                "created_at": {"S": "2025-01-01T00:00:00Z"}, "width": {"N": "0800.500"}}
        self.c.put_item(TableName=TABLE, Item=item,
                        ConditionExpression="attribute_not_exists(image_id)")
        got = self.c.get_item(TableName=TABLE, Key={"image_id": {"S": "img1"}})["Item"]
        self.assertEqual(got["width"], {"N": "800.5"})
        r = self.err(self.c.put_item, TableName=TABLE, Item=item,
                     ConditionExpression="attribute_not_exists(image_id)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertEqual(r["Error"]["Code"], "ConditionalCheckFailedException")
        self.assertEqual(r["Error"]["Message"], "The conditional request failed")
        self.assertEqual(r["Item"]["image_id"], {"S": "img1"})
        r = self.err(self.c.put_item, TableName=TABLE, Item={"status": {"S": "x"}})
        self.assertEqual(r["Error"]["Message"],
                         "One or more parameter values were invalid: Missing the key image_id in the item")
        r = self.err(self.c.put_item, TableName="nope", Item=item)
        self.assertEqual(r["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(r["Error"]["Message"], "Requested resource not found")
        r = self.err(self.c.get_item, TableName=TABLE, Key={"image_id": {"N": "1"}})
        self.assertEqual(r["Error"]["Message"], "The provided key element does not match the schema")
        r = self.err(self.c.put_item, TableName=TABLE, Item=item, ConditionExpression="status = :s",
                     ExpressionAttributeValues={":s": {"S": "x"}})
        self.assertEqual(r["Error"]["Message"], "Invalid ConditionExpression: Attribute name is a "
                         "reserved keyword; reserved keyword: status")
        r = self.err(self.c.put_item, TableName=TABLE, Item=item, ConditionExpression="#s = :s",
                     ExpressionAttributeNames={"#s": "status"},
                     ExpressionAttributeValues={":s": {"S": "x"}, ":unused": {"S": "y"}})
        self.assertEqual(r["Error"]["Message"], "Value provided in ExpressionAttributeValues unused "
                         "in expressions: keys: {:unused}")
        r = self.err(self.c.put_item, TableName=TABLE, Item=item, ConditionExpression="#s = :nope",
                     ExpressionAttributeNames={"#s": "status"})
        self.assertIn("An expression attribute value used in expression is not defined; "
                      "attribute value: :nope", r["Error"]["Message"])
        self.c.put_item(TableName=TABLE, Item=item,
                        ConditionExpression="#s IN (:a, :b) AND width BETWEEN :lo AND :hi "
                                            "AND begins_with(created_at, :y) AND size(image_id) = :four",
                        ExpressionAttributeNames={"#s": "status"},
                        ExpressionAttributeValues={":a": {"S": "processed"}, ":b": {"S": "failed"},
                                                   ":lo": {"N": "800"}, ":hi": {"N": "800.5"},
                                                   ":y": {"S": "2025"}, ":four": {"N": "4"}})
        self.c.delete_item(TableName=TABLE, Key={"image_id": {"S": "img1"}})
        self.assertNotIn("Item", self.c.get_item(TableName=TABLE, Key={"image_id": {"S": "img1"}}))

    def test_update_expression_grammar(self):
        create_pipeline_table(self.c)
        key = {"image_id": {"S": "u1"}}
        r = self.c.update_item(
            TableName=TABLE, Key=key, ReturnValues="ALL_NEW",
            UpdateExpression="SET cnt = if_not_exists(cnt, :zero) + :one, m = :m, l = :l ADD tags :t",
            ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"},
                                       ":m": {"M": {"a": {"M": {"b": {"N": "1"}}}}},
                                       ":l": {"L": [{"S": "x"}, {"S": "y"}, {"S": "z"}]},
                                       ":t": {"SS": ["a", "b"]}})
        a = r["Attributes"]
        self.assertEqual(a["cnt"], {"N": "1"})
        self.assertEqual(sorted(a["tags"]["SS"]), ["a", "b"])
        r = self.c.update_item(
            TableName=TABLE, Key=key, ReturnValues="UPDATED_NEW",
            UpdateExpression="SET m.a.b = m.a.b - :one, l = list_append(l, :more) "
                             "DELETE tags :a",
            ExpressionAttributeValues={":one": {"N": "1"}, ":more": {"L": [{"S": "w"}]},
                                       ":a": {"SS": ["a"]}})
        self.assertEqual(r["Attributes"]["m"], {"M": {"a": {"M": {"b": {"N": "0"}}}}})
        self.c.update_item(TableName=TABLE, Key=key, UpdateExpression="REMOVE l[0], l[5]")
        got = self.c.get_item(TableName=TABLE, Key=key)["Item"]
        self.assertEqual(got["l"], {"L": [{"S": "y"}, {"S": "z"}, {"S": "w"}]})
        self.assertEqual(got["tags"], {"SS": ["b"]})
        r = self.c.update_item(TableName=TABLE, Key=key, UpdateExpression="REMOVE m, l",
                               ReturnValues="UPDATED_OLD")
        self.assertEqual(sorted(r["Attributes"]), ["l", "m"])
        r = self.err(self.c.update_item, TableName=TABLE, Key=key, UpdateExpression="SET image_id = :v",
                     ExpressionAttributeValues={":v": {"S": "x"}})
        self.assertEqual(r["Error"]["Message"], "One or more parameter values were invalid: Cannot "
                         "update attribute image_id. This attribute is part of the key")
        r = self.err(self.c.update_item, TableName=TABLE, Key=key, UpdateExpression="SET a = :v, a.b = :v",
                     ExpressionAttributeValues={":v": {"S": "x"}})
        self.assertIn("Two document paths overlap with each other", r["Error"]["Message"])
        r = self.err(self.c.update_item, TableName=TABLE, Key=key, UpdateExpression="SET a = ",
                     ExpressionAttributeValues={":v": {"S": "x"}})
        self.assertIn("Invalid UpdateExpression: Syntax error", r["Error"]["Message"])
        r = self.err(self.c.update_item, TableName=TABLE, Key=key, UpdateExpression="ADD cnt :s",
                     ExpressionAttributeValues={":s": {"S": "x"}})
        self.assertIn("Incorrect operand type for operator or function; operator: ADD",
                      r["Error"]["Message"])

    def test_numbers_are_exact_decimals(self):
        create_pipeline_table(self.c)
        key = {"image_id": {"S": "n"}}
        self.c.put_item(TableName=TABLE, Item={**key, "v": {"N": "0.1"}})
        r = self.c.update_item(TableName=TABLE, Key=key, UpdateExpression="SET v = v + :x",
                               ExpressionAttributeValues={":x": {"N": "0.2"}}, ReturnValues="UPDATED_NEW")
        self.assertEqual(r["Attributes"]["v"], {"N": "0.3"})
        big = "12345678901234567890123456789012345678"
        self.c.put_item(TableName=TABLE, Item={**key, "v": {"N": big}})
        self.assertEqual(self.c.get_item(TableName=TABLE, Key=key)["Item"]["v"]["N"], big)
        r = self.err(self.c.put_item, TableName=TABLE, Item={**key, "v": {"N": big + "1"}})
        self.assertEqual(r["Error"]["Message"], "Attempting to store more than 38 significant digits in a Number")

    # -- reads ---------------------------------------------------------------
    def test_query_table_and_gsi_with_pagination(self):
        self.c.create_table(TableName="qtab", BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                                  {"AttributeName": "s", "AttributeType": "N"}],
                            KeySchema=[{"AttributeName": "p", "KeyType": "HASH"},
                                       {"AttributeName": "s", "KeyType": "RANGE"}])
        for i in [-5, -1.5, 0, 2, 10, 100]:
            self.c.put_item(TableName="qtab", Item={"p": {"S": "a"}, "s": {"N": str(i)}, "odd": {"BOOL": i == -5}})
        self.c.put_item(TableName="qtab", Item={"p": {"S": "b"}, "s": {"N": "1"}})
        r = self.c.query(TableName="qtab", KeyConditionExpression="p = :p",
                         ExpressionAttributeValues={":p": {"S": "a"}})
        self.assertEqual([x["s"]["N"] for x in r["Items"]], ["-5", "-1.5", "0", "2", "10", "100"])
        r = self.c.query(TableName="qtab", KeyConditionExpression="p = :p AND s BETWEEN :a AND :b",
                         ExpressionAttributeValues={":p": {"S": "a"}, ":a": {"N": "-2"}, ":b": {"N": "10"}},
                         ScanIndexForward=False)
        self.assertEqual([x["s"]["N"] for x in r["Items"]], ["10", "2", "0", "-1.5"])
        r = self.c.query(TableName="qtab", KeyConditionExpression="p = :p", Select="COUNT",
                         FilterExpression="odd = :t",
                         ExpressionAttributeValues={":p": {"S": "a"}, ":t": {"BOOL": True}})
        self.assertEqual((r["Count"], r["ScannedCount"]), (1, 6))
        pages = list(self.c.get_paginator("query").paginate(
            TableName="qtab", KeyConditionExpression="p = :p", ExpressionAttributeValues={":p": {"S": "a"}},
            PaginationConfig={"PageSize": 4}))
        self.assertEqual(pages[0]["LastEvaluatedKey"], {"p": {"S": "a"}, "s": {"N": "2"}})
        self.assertEqual(sum(p["Count"] for p in pages), 6)
        r = self.err(self.c.query, TableName="qtab", KeyConditionExpression="s = :s",
                     ExpressionAttributeValues={":s": {"N": "1"}})
        self.assertEqual(r["Error"]["Message"], "Query condition missed key schema element: p")

    def test_scan_parallel_and_filters(self):
        create_pipeline_table(self.c)
        for i in range(20):
            self.c.put_item(TableName=TABLE, Item={"image_id": {"S": "i%02d" % i}, "n": {"N": str(i)},
                                                   "status": {"S": "done" if i % 4 else "failed"},
                                                   "created_at": {"S": "2025-01-%02d" % (20 - i)}})
        r = self.c.query(TableName=TABLE, IndexName="status-created_at-index",
                         KeyConditionExpression="#s = :s AND created_at > :d",
                         ExpressionAttributeNames={"#s": "status"},
                         ExpressionAttributeValues={":s": {"S": "failed"}, ":d": {"S": "2025-01-05"}})
        self.assertEqual([x["image_id"]["S"] for x in r["Items"]], ["i12", "i08", "i04", "i00"])
        pages = list(self.c.get_paginator("query").paginate(
            TableName=TABLE, IndexName="status-created_at-index", KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "done"}},
            ScanIndexForward=False, PaginationConfig={"PageSize": 4}))
        self.assertEqual(set(pages[0]["LastEvaluatedKey"]), {"image_id", "status", "created_at"})
        got = [x["image_id"]["S"] for p in pages for x in p["Items"]]
        self.assertEqual(got, ["i%02d" % i for i in range(20) if i % 4])
        seen = []
        for seg in range(3):
            for p in self.c.get_paginator("scan").paginate(TableName=TABLE, Segment=seg, TotalSegments=3,
                                                           PaginationConfig={"PageSize": 4}):
                seen += [x["image_id"]["S"] for x in p["Items"]]
        self.assertEqual(sorted(seen), ["i%02d" % i for i in range(20)])
        r = self.c.scan(TableName=TABLE, FilterExpression="n >= :ten", ProjectionExpression="image_id",
                        ExpressionAttributeValues={":ten": {"N": "10"}})
        self.assertEqual(r["Count"], 10)
        self.assertEqual(set(r["Items"][0]), {"image_id"})

    def test_batches_and_transactions(self):
        create_pipeline_table(self.c)
        self.c.batch_write_item(RequestItems={TABLE: [
            {"PutRequest": {"Item": {"image_id": {"S": "b%d" % i}, "v": {"N": str(i)}}}} for i in range(25)]})
        r = self.c.batch_get_item(RequestItems={TABLE: {"Keys": [{"image_id": {"S": "b%d" % i}}
                                                                  for i in range(10)]}})
        self.assertEqual(len(r["Responses"][TABLE]), 10)
        self.assertEqual(r["UnprocessedKeys"], {})
        r = self.err(self.c.batch_write_item, RequestItems={TABLE: [
            {"PutRequest": {"Item": {"image_id": {"S": "x"}}}}] * 2})
        self.assertEqual(r["Error"]["Message"], "Provided list of item keys contains duplicates")
        r = self.err(self.c.transact_write_items, TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"image_id": {"S": "t1"}}}},
            {"ConditionCheck": {"TableName": TABLE, "Key": {"image_id": {"S": "b1"}},
                                "ConditionExpression": "v = :nine",
                                "ExpressionAttributeValues": {":nine": {"N": "9"}},
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}])
        self.assertEqual(r["Error"]["Code"], "TransactionCanceledException")
        reasons = r["CancellationReasons"]
        self.assertEqual([x["Code"] for x in reasons], ["None", "ConditionalCheckFailed"])
        self.assertEqual(reasons[1]["Item"]["v"], {"N": "1"})
        self.assertNotIn("Item", self.c.get_item(TableName=TABLE, Key={"image_id": {"S": "t1"}}))
        items = [{"Update": {"TableName": TABLE, "Key": {"image_id": {"S": "b1"}},
                             "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
        self.c.transact_write_items(TransactItems=items, ClientRequestToken="tok1")
        self.c.transact_write_items(TransactItems=items, ClientRequestToken="tok1")
        r = self.c.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE,
                                                              "Key": {"image_id": {"S": "b1"}}}}])
        self.assertEqual(r["Responses"][0]["Item"]["v"], {"N": "2"})

    def test_ttl_sweeper_deletes_expired_items(self):
        create_pipeline_table(self.c)
        self.c.update_time_to_live(TableName=TABLE, TimeToLiveSpecification={"Enabled": True,
                                                                            "AttributeName": "expires"})
        self.assertEqual(self.c.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"})
        past, future = int(time.time()) - 10, int(time.time()) + 3600
        self.c.put_item(TableName=TABLE, Item={"image_id": {"S": "old"}, "expires": {"N": str(past)}})
        self.c.put_item(TableName=TABLE, Item={"image_id": {"S": "new"}, "expires": {"N": str(future)}})
        deadline = time.time() + 5
        while time.time() < deadline and "Item" in self.c.get_item(TableName=TABLE,
                                                                   Key={"image_id": {"S": "old"}}):
            time.sleep(0.1)
        self.assertNotIn("Item", self.c.get_item(TableName=TABLE, Key={"image_id": {"S": "old"}}))
        self.assertIn("Item", self.c.get_item(TableName=TABLE, Key={"image_id": {"S": "new"}}))

    # -- resource API ----------------------------------------------------------
    def test_resource_api_key_attr_batch_writer(self):
        import boto3
        from boto3.dynamodb.conditions import Attr, Key
        res = boto3.resource("dynamodb", endpoint_url=self.emu.endpoint, region_name="us-east-1",
                             aws_access_key_id="test", aws_secret_access_key="test")
        table = res.create_table(
            TableName="res", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}])
        table.wait_until_exists()
        with table.batch_writer() as bw:
            for i in range(30):
                bw.put_item(Item={"pk": "user", "sk": "img#%03d" % i, "size": Decimal(i) / 10,
                                  "status": "done" if i % 2 else "new"})
        r = table.query(KeyConditionExpression=Key("pk").eq("user") & Key("sk").begins_with("img#01"),
                        FilterExpression=Attr("status").eq("done"))
        self.assertEqual([x["sk"] for x in r["Items"]], ["img#%03d" % i for i in range(11, 20, 2)])
        self.assertEqual(r["Items"][0]["size"], Decimal("1.1"))
        table.update_item(Key={"pk": "user", "sk": "img#000"}, UpdateExpression="SET #s = :s",
                          ConditionExpression=Attr("status").eq("new"),
                          ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": "done"})
        self.assertEqual(table.get_item(Key={"pk": "user", "sk": "img#000"})["Item"]["status"], "done")
        self.assertEqual(table.scan(Select="COUNT")["Count"], 30)


class DynamoDBCli(unittest.TestCase):
    def test_aws_cli_roundtrip(self):
        with Emulator() as emu:
            aws(emu, "dynamodb", "create-table", "--table-name", "cli",
                "--attribute-definitions", "AttributeName=k,AttributeType=S",
                "--key-schema", "AttributeName=k,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
            aws(emu, "dynamodb", "wait", "table-exists", "--table-name", "cli")
            aws(emu, "dynamodb", "put-item", "--table-name", "cli", "--item", '{"k":{"S":"a"},"v":{"N":"1"}}')
            out = aws(emu, "dynamodb", "get-item", "--table-name", "cli", "--key", '{"k":{"S":"a"}}')
            self.assertEqual(json.loads(out.stdout)["Item"]["v"], {"N": "1"})
            out = aws(emu, "dynamodb", "scan", "--table-name", "cli")
            self.assertEqual(json.loads(out.stdout)["Count"], 1)
            out = aws(emu, "dynamodb", "delete-table", "--table-name", "nope", check=False)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("ResourceNotFoundException", out.stderr)


if __name__ == "__main__":
    unittest.main()
