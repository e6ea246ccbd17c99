-- wrk: SNS Publish (query protocol, form body).  bench_sns.py builds the
-- body (Action=Publish&TopicArn=...&Message=...&Version=2010-03-31) and
-- the Authorization header, checks them with one Publish of its own, and
-- passes them in $PUBLISH_BODY and $PUBLISH_AUTH.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("PUBLISH_AUTH")
wrk.body = os.getenv("PUBLISH_BODY")
