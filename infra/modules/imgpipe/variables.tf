# Inputs of the imgpipe stack.  The defaults are the local stack's public
# names; on AWS bucket names are global, so infra/aws sets its own.

variable "uploads_bucket" {
  description = "Bucket the uploads land in (keys uploads/{image_id}.{ext})"
  type        = string
  default     = "imgpipe-uploads"
}

variable "processed_bucket" {
  description = "Bucket the variants are written to ({image_id}/{variant}.{ext})"
  type        = string
  default     = "imgpipe-processed"
}

variable "table_name" {
  description = "DynamoDB table of image items (hash key image_id)"
  type        = string
  default     = "imgpipe-images"
}

variable "topic_name" {
  description = "SNS topic for image.processed / image.failed"
  type        = string
  default     = "imgpipe-events"
}

variable "function_name" {
  description = "The pipeline function"
  type        = string
  default     = "imgpipe-pipeline"
}

variable "lambda_zip" {
  description = "Path of the package `make lambda-zip` builds"
  type        = string
}

variable "lambda_s3_bucket" {
  description = "When set, the zip is uploaded to this existing bucket and the function is created from there (direct uploads are limited to 50 MB)"
  type        = string
  default     = null
}

variable "memory_mb" {
  description = "Function memory (libvips needs room for a 100 MP decode)"
  type        = number
  default     = 1024
}

variable "timeout_s" {
  type    = number
  default = 60
}

variable "redis_url" {
  description = "REDIS_URL for the cache (redis://host:port); empty: no cache"
  type        = string
  default     = ""
}

variable "variants_json" {
  description = "IMGPIPE_VARIANTS (JSON); empty: the built-in thumb/medium/large/medium-webp"
  type        = string
  default     = ""
}

variable "log_retention_days" {
  type    = number
  default = 14
}

variable "enable_api" {
  description = "Create the HTTP API (API Gateway v2) with its Lambda proxy integration"
  type        = bool
  default     = true
}

variable "notification_endpoint" {
  description = "An https endpoint subscribed to the topic; null: none"
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Let `terraform destroy` remove buckets that still hold objects"
  type        = bool
  default     = true
}

variable "tags" {
  type    = map(string)
  default = {}
}
