output "uploads_bucket" {
  value = aws_s3_bucket.uploads.bucket
}

output "processed_bucket" {
  value = aws_s3_bucket.processed.bucket
}

output "table_name" {
  value = aws_dynamodb_table.images.name
}

output "topic_arn" {
  value = aws_sns_topic.events.arn
}

output "function_arn" {
  value = aws_lambda_function.pipeline.arn
}

output "api_endpoint" {
  value = var.enable_api ? aws_apigatewayv2_api.http[0].api_endpoint : null
}
