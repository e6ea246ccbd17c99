# infra/local - the same stack (../modules/imgpipe) applied to the
# emulator: every service endpoint points at its one edge port.
#
#   make run            (or any running emulator; see var.endpoint)
#   infra/tf.sh local apply -auto-approve
#
# `make run` already deploys these names through the emulator's APIs;
# apply this to a fresh emulator (e.g. `make run DATA_DIR=/tmp/tf`) or
# Terraform will find the resources already there.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
  }
}

variable "endpoint" {
  description = "The emulator's edge URL"
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "lambda_zip" {
  description = "The package; empty: build/lambda/pipeline.zip of this checkout"
  type        = string
  default     = ""
}

variable "redis_url" {
  type    = string
  default = "redis://127.0.0.1:6379"
}

variable "enable_api" {
  type    = bool
  default = true
}

variable "notification_endpoint" {
  type    = string
  default = null
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true

  endpoints {
    apigatewayv2 = var.endpoint
    dynamodb     = var.endpoint
    iam          = var.endpoint
    lambda       = var.endpoint
    logs         = var.endpoint
    s3           = var.endpoint
    sns          = var.endpoint
    sts          = var.endpoint
  }
}

module "imgpipe" {
  source                = "../modules/imgpipe"
  lambda_zip            = var.lambda_zip != "" ? var.lambda_zip : "${path.root}/../../build/lambda/pipeline.zip"
  redis_url             = var.redis_url
  enable_api            = var.enable_api
  notification_endpoint = var.notification_endpoint
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
