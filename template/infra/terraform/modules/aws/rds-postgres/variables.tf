variable "name" {
  description = "Identifier of the DB instance and prefix of its companions, usually <project>-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,45}$", var.name)) && !endswith(var.name, "-") && !strcontains(var.name, "--")
    error_message = "name must start with a letter, hold lowercase letters, digits and single hyphens, and be at most 46 characters."
  }
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets for the DB subnet group (the database tier, with no route to the internet), in at least two Availability Zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "RDS needs subnets in at least two Availability Zones."
  }
}

variable "allowed_security_groups" {
  description = "Security groups whose members may connect on the PostgreSQL port, by a name known before apply (e.g. { eks_nodes = <EKS cluster security group ID> })."
  type        = map(string)
  default     = {}
}

variable "engine_version" {
  description = "PostgreSQL version: a major version (e.g. 17) lets RDS pick and upgrade the minor version."
  type        = string
  default     = "17"

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must look like 17 or 17.6."
  }
}

variable "instance_class" {
  description = "DB instance class, e.g. db.t4g.medium for development, db.m7g.large for production."
  type        = string
  default     = "db.t4g.medium"
}

variable "allocated_storage_gib" {
  description = "Initial storage in GiB (gp3)."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage_gib >= 20
    error_message = "allocated_storage_gib must be at least 20."
  }
}

variable "max_allocated_storage_gib" {
  description = "Ceiling for storage autoscaling in GiB; 0 turns autoscaling off."
  type        = number
  default     = 100
}

variable "database_name" {
  description = "Name of the database created with the instance."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must start with a letter and hold lowercase letters, digits and underscores."
  }
}

variable "master_username" {
  description = "Name of the master user. Its password is generated and rotated by RDS in Secrets Manager, never set here."
  type        = string
  default     = "platform_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.master_username)) && !contains(["admin", "postgres", "rdsadmin"], var.master_username)
    error_message = "master_username must be a lowercase identifier of at most 16 characters and not a reserved name."
  }
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights and the master user secret."
  type        = string
}

variable "logs_kms_key_arn" {
  description = "KMS key for the log groups PostgreSQL exports to; its policy must allow CloudWatch Logs."
  type        = string
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the exported PostgreSQL logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs supports (e.g. 30, 90, 365, 731)."
  }
}

variable "multi_az" {
  description = "Keep a synchronous standby in a second Availability Zone (automatic failover). On in production."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the instance until this is turned off. On in production."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window), 1 to 35."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35."
  }
}

variable "backup_window" {
  description = "Daily UTC window for automated backups (hh24:mi-hh24:mi), outside the maintenance window."
  type        = string
  default     = "03:00-04:00"
}

variable "maintenance_window" {
  description = "Weekly UTC window for maintenance and minor upgrades (ddd:hh24:mi-ddd:hh24:mi)."
  type        = string
  default     = "sun:04:30-sun:05:30"
}

variable "performance_insights_retention_days" {
  description = "Days of Performance Insights history: 7 (free) or a multiple of 31 up to 731."
  type        = number
  default     = 7

  validation {
    condition     = var.performance_insights_retention_days == 7 || (var.performance_insights_retention_days % 31 == 0 && var.performance_insights_retention_days <= 731)
    error_message = "performance_insights_retention_days must be 7 or a multiple of 31 up to 731."
  }
}

variable "monitoring_interval_seconds" {
  description = "Enhanced Monitoring granularity in seconds (1, 5, 10, 15, 30 or 60)."
  type        = number
  default     = 60

  validation {
    condition     = contains([1, 5, 10, 15, 30, 60], var.monitoring_interval_seconds)
    error_message = "monitoring_interval_seconds must be 1, 5, 10, 15, 30 or 60."
  }
}

variable "slow_statement_ms" {
  description = "Log statements that run longer than this many milliseconds (-1 turns it off)."
  type        = number
  default     = 1000
}

variable "apply_immediately" {
  description = "Apply changes now instead of in the next maintenance window (may restart the instance)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for the module's resources (the provider's default_tags already apply; snapshots copy the instance's tags)."
  type        = map(string)
  default     = {}
}
