"""SNS through real clients: boto3 and the aws cli, including the exact
call sequence Terraform's aws_sns_topic / aws_sns_topic_subscription
make (see /work/shared/reference/terraform-ops.md), the error codes and
HTTP statuses botocore maps to exceptions, pagination, every message
attribute type, PublishBatch, FIFO topics and tags; and the same under
--auth sigv4."""
import json
import unittest

from clients import aws, boto3_client
from emu import Emulator


def error_of(cm):
    e = cm.exception.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Message"]


class TestSnsBoto3(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()
        cls.sns = boto3_client(cls.emu, "sns")

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def test_terraform_topic_and_subscription_sequence(self):
        import botocore.exceptions
        sns = self.sns
        arn = sns.create_topic(Name="imgpipe-events")["TopicArn"]
        self.assertEqual(arn, "arn:aws:sns:us-east-1:123456789012:imgpipe-events")
        for name in ("LambdaSuccessFeedbackSampleRate", "SQSSuccessFeedbackSampleRate",
                     "ApplicationSuccessFeedbackSampleRate", "HTTPSuccessFeedbackSampleRate",
                     "FirehoseSuccessFeedbackSampleRate"):
            sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue="0")
        attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["TopicArn"], arn)
        self.assertEqual(attrs["Owner"], "123456789012")
        self.assertEqual(attrs["HTTPSuccessFeedbackSampleRate"], "0")
        self.assertEqual(json.loads(attrs["Policy"])["Statement"][0]["Resource"], arn)
        self.assertIn("defaultHealthyRetryPolicy", json.loads(attrs["EffectiveDeliveryPolicy"])["http"])
        self.assertEqual(sns.list_tags_for_resource(ResourceArn=arn)["Tags"], [])

        sub = sns.subscribe(TopicArn=arn, Protocol="https",
                            Endpoint="https://127.0.0.1/hooks/image-processed",
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        self.assertTrue(sub.startswith(arn + ":"))
        sa = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual(sa["PendingConfirmation"], "true")
        self.assertEqual(sa["Protocol"], "https")
        self.assertEqual(sa["Endpoint"], "https://127.0.0.1/hooks/image-processed")
        self.assertEqual(sa["TopicArn"], arn)
        self.assertEqual(sa["RawMessageDelivery"], "false")
        self.assertEqual(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["SubscriptionsPending"], "1")
        # without ReturnSubscriptionArn a pending subscription has no ARN yet
        again = sns.subscribe(TopicArn=arn, Protocol="https",
                              Endpoint="https://127.0.0.1/hooks/image-processed")
        self.assertEqual(again["SubscriptionArn"], "pending confirmation")

        sns.unsubscribe(SubscriptionArn=sub)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            sns.get_subscription_attributes(SubscriptionArn=sub)
        self.assertEqual(error_of(cm)[:2], ("NotFound", 404))
        sns.delete_topic(TopicArn=arn)
        sns.delete_topic(TopicArn=arn)  # idempotent, like AWS
        with self.assertRaises(sns.exceptions.NotFoundException) as cm:
            sns.get_topic_attributes(TopicArn=arn)
        self.assertEqual(error_of(cm), ("NotFound", 404, "Topic does not exist"))

    def test_create_topic_is_idempotent_and_checks_attributes(self):
        sns = self.sns
        a = sns.create_topic(Name="idem", Attributes={"DisplayName": "x"})["TopicArn"]
        b = sns.create_topic(Name="idem", Attributes={"DisplayName": "x"})["TopicArn"]
        self.assertEqual(a, b)
        self.assertEqual(sns.create_topic(Name="idem")["TopicArn"], a)
        with self.assertRaises(sns.exceptions.InvalidParameterException) as cm:
            sns.create_topic(Name="idem", Attributes={"DisplayName": "y"})
        self.assertEqual(error_of(cm)[:2], ("InvalidParameter", 400))

    def test_validation_errors(self):
        sns = self.sns
        cases = [
            (lambda: sns.create_topic(Name="bad name!"), "Invalid parameter: Topic Name"),
            (lambda: sns.create_topic(Name="x" * 257), "Invalid parameter: Topic Name"),
            (lambda: sns.create_topic(Name="nofifo", Attributes={"FifoTopic": "true"}), None),
            (lambda: sns.create_topic(Name="t", Attributes={"Bogus": "1"}), None),
            (lambda: sns.get_topic_attributes(TopicArn="not-an-arn"),
             "Invalid parameter: TopicArn"),
            (lambda: sns.set_topic_attributes(TopicArn=self._topic("v"), AttributeName="Nope",
                                              AttributeValue="1"),
             "Invalid parameter: AttributeName"),
            (lambda: sns.set_topic_attributes(TopicArn=self._topic("v"), AttributeName="Policy",
                                              AttributeValue="{not json"), None),
            (lambda: sns.subscribe(TopicArn=self._topic("v"), Protocol="carrier-pigeon",
                                   Endpoint="x"), None),
            (lambda: sns.subscribe(TopicArn=self._topic("v"), Protocol="http",
                                   Endpoint="https://wrong-scheme"), None),
            (lambda: sns.subscribe(TopicArn=self._topic("v"), Protocol="lambda",
                                   Endpoint="arn:aws:lambda:us-east-1:123456789012:function:f",
                                   Attributes={"RawMessageDelivery": "true"}), None),
            (lambda: sns.subscribe(TopicArn=self._topic("v"), Protocol="http",
                                   Endpoint="http://127.0.0.1:9/",
                                   Attributes={"FilterPolicy": "{\"a\": \"b\"}"}),
             None),
            (lambda: sns.publish(TopicArn=self._topic("v"), Message=""),
             "Invalid parameter: Empty message"),
            (lambda: sns.publish(TopicArn=self._topic("v"), Message="m", Subject="a\nb"),
             "Invalid parameter: Subject"),
            (lambda: sns.publish(TopicArn=self._topic("v"), Message="{}",
                                 MessageStructure="json"),
             "Invalid parameter: Message Structure - No default entry in JSON message body"),
            (lambda: sns.publish(TopicArn=self._topic("v"), Message="m",
                                 MessageAttributes={"n": {"DataType": "Number",
                                                          "StringValue": "abc"}}), None),
            (lambda: sns.publish(TopicArn=self._topic("v"), Message="m",
                                 MessageAttributes={"n": {"DataType": "Weird",
                                                          "StringValue": "abc"}}), None),
            (lambda: sns.publish(TopicArn=self._topic("v"), Message="m", MessageGroupId="g"),
             None),
        ]
        for i, (fn, message) in enumerate(cases):
            with self.subTest(case=i):
                with self.assertRaises(sns.exceptions.InvalidParameterException) as cm:
                    fn()
                code, status, msg = error_of(cm)
                self.assertEqual((code, status), ("InvalidParameter", 400))
                self.assertTrue(msg.startswith("Invalid parameter"), msg)
                if message:
                    self.assertEqual(msg, message)

    def _topic(self, name):
        return self.sns.create_topic(Name=name)["TopicArn"]

    def test_not_found_errors(self):
        sns = self.sns
        missing = "arn:aws:sns:us-east-1:123456789012:missing"
        for fn in (lambda: sns.publish(TopicArn=missing, Message="m"),
                   lambda: sns.subscribe(TopicArn=missing, Protocol="http",
                                         Endpoint="http://x/"),
                   lambda: sns.set_topic_attributes(TopicArn=missing, AttributeName="DisplayName",
                                                    AttributeValue="d"),
                   lambda: sns.list_subscriptions_by_topic(TopicArn=missing),
                   lambda: sns.get_subscription_attributes(SubscriptionArn=missing + ":abc")):
            with self.assertRaises(sns.exceptions.NotFoundException) as cm:
                fn()
            self.assertEqual(error_of(cm)[1], 404)
        with self.assertRaises(sns.exceptions.ResourceNotFoundException) as cm:
            sns.list_tags_for_resource(ResourceArn=missing)
        self.assertEqual(error_of(cm)[:2], ("ResourceNotFound", 404))

    def test_unsupported_operation_is_invalid_action(self):
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sns.list_platform_applications()
        self.assertEqual(error_of(cm)[:2], ("InvalidAction", 400))

    def test_list_topics_paginates(self):
        sns = self.sns
        made = {sns.create_topic(Name="page-%03d" % i)["TopicArn"] for i in range(130)}
        first = sns.list_topics()
        self.assertEqual(len(first["Topics"]), 100)
        self.assertIn("NextToken", first)
        seen = set()
        for page in sns.get_paginator("list_topics").paginate():
            seen.update(t["TopicArn"] for t in page["Topics"])
        self.assertTrue(made <= seen)

    def test_subscriptions_listing_and_attributes(self):
        sns = self.sns
        arn = self._topic("subs-list")
        lam = sns.subscribe(TopicArn=arn, Protocol="lambda",
                            Endpoint="arn:aws:lambda:us-east-1:123456789012:function:f")
        self.assertTrue(lam["SubscriptionArn"].startswith(arn + ":"))  # confirmed at once
        sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="ops@example.com")
        subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        self.assertEqual(sorted(s["Protocol"] for s in subs), ["email", "lambda"])
        pending = [s for s in subs if s["Protocol"] == "email"][0]
        self.assertEqual(pending["SubscriptionArn"], "PendingConfirmation")
        self.assertEqual(pending["Owner"], "123456789012")
        everything = sns.list_subscriptions()["Subscriptions"]
        self.assertTrue(any(s["SubscriptionArn"] == lam["SubscriptionArn"] for s in everything))

        sub = lam["SubscriptionArn"]
        policy = {"status": ["processed"], "size": [{"numeric": [">", 0]}]}
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                        AttributeValue=json.dumps(policy))
        a = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual(json.loads(a["FilterPolicy"]), policy)
        self.assertEqual(a["FilterPolicyScope"], "MessageAttributes")
        self.assertEqual(a["PendingConfirmation"], "false")
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicyScope",
                                        AttributeValue="MessageBody")
        self.assertEqual(sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
                         ["FilterPolicyScope"], "MessageBody")
        with self.assertRaises(sns.exceptions.InvalidParameterException):
            sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="Bogus",
                                            AttributeValue="x")

    def test_publish_every_attribute_type_and_structure(self):
        sns = self.sns
        arn = self._topic("publish-types")
        r = sns.publish(TopicArn=arn, Message="hello", Subject="subj", MessageAttributes={
            "s": {"DataType": "String", "StringValue": "v"},
            "n": {"DataType": "Number", "StringValue": "1.5e3"},
            "a": {"DataType": "String.Array", "StringValue": "[\"x\", 1, true]"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
            "c": {"DataType": "String.custom", "StringValue": "cv"},
        })
        self.assertRegex(r["MessageId"], r"^[0-9a-f-]{36}$")
        self.assertNotIn("SequenceNumber", r)
        r = sns.publish(TargetArn=arn, Message=json.dumps({"default": "d", "lambda": "l"}),
                        MessageStructure="json")
        self.assertIn("MessageId", r)

    def test_publish_batch(self):
        sns = self.sns
        arn = self._topic("batch")
        r = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
            {"Id": "one", "Message": "m1"},
            {"Id": "two", "Message": "m2", "Subject": "s",
             "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
            {"Id": "bad", "Message": "m3", "Subject": "bad\nsubject"},
        ])
        self.assertEqual(sorted(s["Id"] for s in r["Successful"]), ["one", "two"])
        self.assertEqual(len({s["MessageId"] for s in r["Successful"]}), 2)
        self.assertEqual(len(r["Failed"]), 1)
        self.assertEqual(r["Failed"][0]["Id"], "bad")
        self.assertEqual(r["Failed"][0]["Code"], "InvalidParameter")
        self.assertTrue(r["Failed"][0]["SenderFault"])
        with self.assertRaises(sns.exceptions.BatchEntryIdsNotDistinctException):
            sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
                {"Id": "a", "Message": "1"}, {"Id": "a", "Message": "2"}])
        with self.assertRaises(sns.exceptions.TooManyEntriesInBatchRequestException):
            sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
                {"Id": "e%d" % i, "Message": "x"} for i in range(11)])
        with self.assertRaises(sns.exceptions.InvalidBatchEntryIdException):
            sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
                {"Id": "no spaces", "Message": "x"}])
        with self.assertRaises(sns.exceptions.NotFoundException):
            sns.publish_batch(TopicArn=arn + "-missing", PublishBatchRequestEntries=[
                {"Id": "a", "Message": "x"}])

    def test_fifo_topic(self):
        sns = self.sns
        arn = sns.create_topic(Name="orders.fifo", Attributes={
            "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
        self.assertTrue(arn.endswith(":orders.fifo"))
        attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["FifoTopic"], "true")
        self.assertEqual(attrs["ContentBasedDeduplication"], "true")
        with self.assertRaises(sns.exceptions.InvalidParameterException) as cm:
            sns.publish(TopicArn=arn, Message="no group")
        self.assertIn("MessageGroupId", error_of(cm)[2])
        a = sns.publish(TopicArn=arn, Message="first", MessageGroupId="g1")
        b = sns.publish(TopicArn=arn, Message="second", MessageGroupId="g1")
        dup = sns.publish(TopicArn=arn, Message="first", MessageGroupId="g1")
        self.assertEqual(dup["MessageId"], a["MessageId"])
        self.assertEqual(dup["SequenceNumber"], a["SequenceNumber"])
        self.assertGreater(int(b["SequenceNumber"]), int(a["SequenceNumber"]))
        self.assertEqual(len(a["SequenceNumber"]), 20)
        c = sns.publish(TopicArn=arn, Message="first", MessageGroupId="g1",
                        MessageDeduplicationId="explicit")
        self.assertNotEqual(c["MessageId"], a["MessageId"])
        plain = self._topic("not-fifo")
        with self.assertRaises(sns.exceptions.InvalidParameterException):
            sns.set_topic_attributes(TopicArn=plain, AttributeName="ContentBasedDeduplication",
                                     AttributeValue="true")
        with self.assertRaises(sns.exceptions.InvalidParameterException):
            sns.subscribe(TopicArn=arn, Protocol="http", Endpoint="http://127.0.0.1:9/")

    def test_tags(self):
        sns = self.sns
        arn = sns.create_topic(Name="tagged", Tags=[{"Key": "team", "Value": "img"}])["TopicArn"]
        sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"},
                                                {"Key": "team", "Value": "media"}])
        tags = sns.list_tags_for_resource(ResourceArn=arn)["Tags"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags),
                         [("env", "dev"), ("team", "media")])
        sns.untag_resource(ResourceArn=arn, TagKeys=["env"])
        self.assertEqual(sns.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "team", "Value": "media"}])
        with self.assertRaises(sns.exceptions.TagLimitExceededException):
            sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k%d" % i, "Value": "v"}
                                                    for i in range(50)])
        with self.assertRaises(sns.exceptions.ResourceNotFoundException):
            sns.tag_resource(ResourceArn=arn + "-missing", Tags=[{"Key": "a", "Value": "b"}])


class TestSnsAwsCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def test_cli_round_trip(self):
        arn = json.loads(aws(self.emu, "sns", "create-topic", "--name", "cli-topic",
                             "--attributes", "DisplayName=Cli").stdout)["TopicArn"]
        out = json.loads(aws(self.emu, "sns", "get-topic-attributes", "--topic-arn", arn).stdout)
        self.assertEqual(out["Attributes"]["DisplayName"], "Cli")
        sub = json.loads(aws(self.emu, "sns", "subscribe", "--topic-arn", arn, "--protocol",
                             "lambda", "--notification-endpoint",
                             "arn:aws:lambda:us-east-1:123456789012:function:f").stdout)
        self.assertTrue(sub["SubscriptionArn"].startswith(arn))
        pub = json.loads(aws(self.emu, "sns", "publish", "--topic-arn", arn, "--message", "hi",
                             "--message-attributes",
                             '{"k":{"DataType":"String","StringValue":"v"}}').stdout)
        self.assertIn("MessageId", pub)
        subs = json.loads(aws(self.emu, "sns", "list-subscriptions-by-topic", "--topic-arn",
                              arn).stdout)["Subscriptions"]
        self.assertEqual([s["SubscriptionArn"] for s in subs], [sub["SubscriptionArn"]])
        topics = json.loads(aws(self.emu, "sns", "list-topics").stdout)["Topics"]
        self.assertIn({"TopicArn": arn}, topics)
        aws(self.emu, "sns", "unsubscribe", "--subscription-arn", sub["SubscriptionArn"])
        aws(self.emu, "sns", "delete-topic", "--topic-arn", arn)
        out = aws(self.emu, "sns", "get-topic-attributes", "--topic-arn", arn, check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("NotFound", out.stderr)


class TestSnsSigV4(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(args=["--auth", "sigv4"]).start()

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def test_signed_calls_work_and_unsigned_publish_is_refused(self):
        sns = boto3_client(self.emu, "sns")
        arn = sns.create_topic(Name="signed")["TopicArn"]
        sns.publish(TopicArn=arn, Message="m")
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            boto3_client(self.emu, "sns", secret="wrong").publish(TopicArn=arn, Message="m")
        self.assertEqual(error_of(cm)[1], 403)
        status, _, body = self.emu.http(
            "POST", "/", body=("Action=Publish&Version=2010-03-31&Message=m&TopicArn=" + arn).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 403, body)
        # the URLs SNS puts in messages stay usable without credentials
        status, _, body = self.emu.http("GET", "/?Action=GetSigningCertificate")
        self.assertEqual(status, 200)
        status, _, body = self.emu.http(
            "GET", "/?Action=Unsubscribe&SubscriptionArn=" + arn + ":nope")
        self.assertEqual(status, 200, body)
        # ...but a wrongly signed one is still refused
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            boto3_client(self.emu, "sns", secret="wrong").unsubscribe(
                SubscriptionArn=arn + ":nope")
        self.assertEqual(error_of(cm)[1], 403)


if __name__ == "__main__":
    unittest.main()
