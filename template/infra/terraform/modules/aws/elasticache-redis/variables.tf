variable "name" {
  description = "Replication group ID and prefix of the users and user group (at most 36 characters, so the -default and -app user IDs fit in 40)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,35}$", var.name)) && !endswith(var.name, "-") && !strcontains(var.name, "--")
    error_message = "name must start with a letter, hold lowercase letters, digits and single hyphens, and be at most 36 characters."
  }
}

variable "vpc_id" {
  description = "VPC of the cache."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets for the cache subnet group (the database tier), in at least two Availability Zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "Use subnets in at least two Availability Zones."
  }
}

variable "allowed_security_groups" {
  description = "Security groups whose members may connect on the Redis port, by a name known before apply (e.g. { eks_nodes = <EKS cluster security group ID> })."
  type        = map(string)
  default     = {}
}

variable "engine_version" {
  description = "Redis OSS engine version (7.0 or later: IAM-authenticated users need it)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^[7-9]\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be 7.0 or later, e.g. 7.1."
  }
}

variable "node_type" {
  description = "Cache node type, e.g. cache.t4g.small for development, cache.m7g.large for production."
  type        = string
  default     = "cache.t4g.small"
}

variable "num_cache_clusters" {
  description = "Nodes in the group: one primary plus replicas. Two or more turn on automatic failover and Multi-AZ."
  type        = number
  default     = 2

  validation {
    condition     = var.num_cache_clusters >= 1 && var.num_cache_clusters <= 6
    error_message = "num_cache_clusters must be between 1 and 6."
  }
}

variable "kms_key_arn" {
  description = "KMS key for encryption at rest (nodes and snapshots)."
  type        = string
}

variable "logs_kms_key_arn" {
  description = "KMS key for the slow-log group; its policy must allow CloudWatch Logs."
  type        = string
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the slow log."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs supports (e.g. 30, 90, 365, 731)."
  }
}

variable "snapshot_retention_days" {
  description = "Days of daily snapshots to keep (0 turns snapshots off)."
  type        = number
  default     = 7

  validation {
    condition     = var.snapshot_retention_days >= 0 && var.snapshot_retention_days <= 35
    error_message = "snapshot_retention_days must be between 0 and 35."
  }
}

variable "snapshot_window" {
  description = "Daily UTC window for snapshots (hh24:mi-hh24:mi), outside the maintenance window."
  type        = string
  default     = "02:00-03:00"
}

variable "maintenance_window" {
  description = "Weekly UTC window for maintenance (ddd:hh24:mi-ddd:hh24:mi)."
  type        = string
  default     = "sun:05:30-sun:06:30"
}

variable "app_access_string" {
  description = "Redis ACL rules of the application user: all keys and commands except the dangerous ones (FLUSHALL, CONFIG, KEYS, ...)."
  type        = string
  default     = "on ~* &* +@all -@dangerous"
}

variable "apply_immediately" {
  description = "Apply changes now instead of in the next maintenance window."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for the module's resources (the provider's default_tags already apply)."
  type        = map(string)
  default     = {}
}
