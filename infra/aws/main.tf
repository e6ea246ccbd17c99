# infra/aws - the imgpipe stack on AWS.
#
#   make lambda-zip
#   infra/tf.sh aws init
#   infra/tf.sh aws apply -var name_suffix=<something unique>
#
# Bucket names are global on AWS, so every name gets name_suffix.  The
# package (~45 MB) is uploaded to an artifacts bucket and the function is
# created from there (direct uploads stop at 50 MB).  docs/deploy.md has
# the whole procedure and what it costs.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
  }
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "name_suffix" {
  description = "Appended to every bucket name (bucket names are global), e.g. your account id"
  type        = string
}

variable "redis_url" {
  description = "REDIS_URL of a Redis the function can reach (ElastiCache in the function's VPC); empty: no cache"
  type        = string
  default     = ""
}

variable "notification_endpoint" {
  description = "An https endpoint to subscribe to the topic; null: none"
  type        = string
  default     = null
}

provider "aws" {
  region = var.region
}

resource "aws_s3_bucket" "artifacts" {
  bucket        = "imgpipe-artifacts-${var.name_suffix}"
  force_destroy = true
}

module "imgpipe" {
  source                = "../modules/imgpipe"
  uploads_bucket        = "imgpipe-uploads-${var.name_suffix}"
  processed_bucket      = "imgpipe-processed-${var.name_suffix}"
  lambda_zip            = "${path.root}/../../build/lambda/pipeline.zip"
  lambda_s3_bucket      = aws_s3_bucket.artifacts.bucket
  redis_url             = var.redis_url
  notification_endpoint = var.notification_endpoint
  force_destroy         = false
}

output "uploads_bucket" {
  value = module.imgpipe.uploads_bucket
}
output "processed_bucket" {
  value = module.imgpipe.processed_bucket
}
output "table_name" {
  value = module.imgpipe.table_name
}
output "topic_arn" {
  value = module.imgpipe.topic_arn
}
output "function_arn" {
  value = module.imgpipe.function_arn
}
output "api_endpoint" {
  value = module.imgpipe.api_endpoint
}
