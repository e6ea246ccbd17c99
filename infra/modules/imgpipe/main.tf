# The imgpipe stack: uploads bucket -> notification -> pipeline function
# (the zip `make lambda-zip` builds) -> processed bucket, DynamoDB table
# (GSI status + created_at), SNS topic; its IAM role and policy, log group,
# and an HTTP API (API Gateway v2, Lambda proxy, payload 2.0).
#
# The same module is applied to AWS (infra/aws) and to the emulator
# (infra/local); only the provider differs.  The call order and the
# services it calls: S3, DynamoDB, SNS, IAM, Lambda, CloudWatch Logs, API
# Gateway v2 (docs/deploy.md lists them).

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
  }
}

# ---- storage -----------------------------------------------------------

resource "aws_s3_bucket" "uploads" {
  bucket        = var.uploads_bucket
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket" "processed" {
  bucket        = var.processed_bucket
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_dynamodb_table" "images" {
  name         = var.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "image_id"
  tags         = var.tags

  attribute {
    name = "image_id"
    type = "S"
  }
  attribute {
    name = "status"
    type = "S"
  }
  attribute {
    name = "created_at"
    type = "S"
  }

  global_secondary_index {
    name            = "status-created_at-index"
    hash_key        = "status"
    range_key       = "created_at"
    projection_type = "ALL"
  }
}

resource "aws_sns_topic" "events" {
  name = var.topic_name
  tags = var.tags
}

resource "aws_sns_topic_subscription" "endpoint" {
  count     = var.notification_endpoint == null ? 0 : 1
  topic_arn = aws_sns_topic.events.arn
  protocol  = startswith(var.notification_endpoint, "https:") ? "https" : "http"
  endpoint  = var.notification_endpoint
}

# ---- the function and what it may do -------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "pipeline" {
  name               = "${var.function_name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "pipeline" {
  statement {
    sid       = "ReadUploads"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.uploads.arn}/uploads/*"]
  }
  statement {
    sid       = "WriteVariants"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.processed.arn}/*"]
  }
  statement {
    sid       = "Items"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.images.arn]
  }
  statement {
    sid       = "Events"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.pipeline.arn}:*"]
  }
}

resource "aws_iam_policy" "pipeline" {
  name   = "${var.function_name}-policy"
  policy = data.aws_iam_policy_document.pipeline.json
  tags   = var.tags
}

resource "aws_iam_role_policy_attachment" "pipeline" {
  role       = aws_iam_role.pipeline.name
  policy_arn = aws_iam_policy.pipeline.arn
}

resource "aws_cloudwatch_log_group" "pipeline" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_s3_object" "package" {
  count  = var.lambda_s3_bucket == null ? 0 : 1
  bucket = var.lambda_s3_bucket
  key    = "lambda/${var.function_name}/${filesha256(var.lambda_zip)}.zip"
  source = var.lambda_zip
}

resource "aws_lambda_function" "pipeline" {
  function_name    = var.function_name
  description      = "imgpipe: S3 uploads -> variants, item, cache, event"
  role             = aws_iam_role.pipeline.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["x86_64"]
  memory_size      = var.memory_mb
  timeout          = var.timeout_s
  filename         = var.lambda_s3_bucket == null ? var.lambda_zip : null
  s3_bucket        = var.lambda_s3_bucket
  s3_key           = var.lambda_s3_bucket == null ? null : aws_s3_object.package[0].key
  source_code_hash = filebase64sha256(var.lambda_zip)
  tags             = var.tags

  environment {
    variables = merge(
      {
        UPLOAD_BUCKET    = aws_s3_bucket.uploads.bucket
        PROCESSED_BUCKET = aws_s3_bucket.processed.bucket
        TABLE_NAME       = aws_dynamodb_table.images.name
        TOPIC_ARN        = aws_sns_topic.events.arn
      },
      var.redis_url == "" ? {} : { REDIS_URL = var.redis_url },
      var.variants_json == "" ? {} : { IMGPIPE_VARIANTS = var.variants_json },
    )
  }

  depends_on = [aws_iam_role_policy_attachment.pipeline, aws_cloudwatch_log_group.pipeline]
}

# ---- S3 -> Lambda ----------------------------------------------------------

resource "aws_lambda_permission" "s3" {
  statement_id  = "AllowS3Invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.pipeline.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = aws_s3_bucket.uploads.arn
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id

  lambda_function {
    lambda_function_arn = aws_lambda_function.pipeline.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "uploads/"
  }

  depends_on = [aws_lambda_permission.s3]
}

# ---- HTTP API ------------------------------------------------------------

resource "aws_apigatewayv2_api" "http" {
  count         = var.enable_api ? 1 : 0
  name          = "imgpipe-api"
  protocol_type = "HTTP"
  tags          = var.tags
}

resource "aws_apigatewayv2_integration" "pipeline" {
  count                  = var.enable_api ? 1 : 0
  api_id                 = aws_apigatewayv2_api.http[0].id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = aws_lambda_function.pipeline.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "routes" {
  for_each  = var.enable_api ? toset(["GET /images/{id}", "POST /images"]) : toset([])
  api_id    = aws_apigatewayv2_api.http[0].id
  route_key = each.value
  target    = "integrations/${aws_apigatewayv2_integration.pipeline[0].id}"
}

resource "aws_apigatewayv2_stage" "default" {
  count       = var.enable_api ? 1 : 0
  api_id      = aws_apigatewayv2_api.http[0].id
  name        = "$default"
  auto_deploy = true
  tags        = var.tags
}

resource "aws_lambda_permission" "api" {
  count         = var.enable_api ? 1 : 0
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.pipeline.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http[0].execution_arn}/*/*"
}
