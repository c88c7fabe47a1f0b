variable "project" {
  description = "Project name: with the environment, the prefix of every resource name (<project>-<environment>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$", var.project))
    error_message = "project must be at most 40 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "environment" {
  description = "Environment name (dev, stage, prod, ...): part of every resource name and the value of the Environment tag the budget filters on."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$", var.environment))
    error_message = "environment must be at most 10 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }

  # Bucket names in the disaster-recovery region (<project>-<environment>-dr) must fit
  # the s3-buckets module's 50-character prefix.
  validation {
    condition     = length("${var.project}-${var.environment}-dr") <= 50
    error_message = "project and environment together are too long: <project>-<environment>-dr must fit in 50 characters."
  }
}

variable "region" {
  description = "Region of the default aws provider; the VPC spans its zones a, b and c."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "dr_region" {
  description = "Region of the aws.dr provider, for backup copies and bucket replicas; null keeps everything in region and creates nothing through aws.dr."
  type        = string
  default     = null

  validation {
    condition     = var.dr_region == null ? true : var.dr_region != var.region
    error_message = "dr_region must differ from region."
  }
}

variable "tags" {
  description = "Cost allocation tags, the same the caller's providers set as default_tags; passed to every module for what default_tags cannot reach (node group instances and volumes, snapshots, recovery points)."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["Project", "Environment", "Owner", "CostCenter", "ManagedBy", "Repository"], keys(var.tags))) == 0
    error_message = "tags must hold Project, Environment, Owner, CostCenter, ManagedBy and Repository."
  }

  validation {
    condition     = lookup(var.tags, "Environment", null) == var.environment
    error_message = "tags.Environment must equal environment: the budget filters on that tag."
  }
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC; give every environment its own so they can be peered."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("/(1[6-9]|20)$", var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR block from /16 to /20 (three zones of public, private and database subnets)."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper; a zone outage cuts the others' egress) instead of one per zone."
  type        = bool
}

variable "cluster_admin_role_arns" {
  description = "IAM roles with cluster-admin on the EKS cluster (e.g. the platform team's SSO role)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.cluster_admin_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", arn))])
    error_message = "cluster_admin_role_arns must be IAM role ARNs."
  }
}

variable "node_group" {
  description = <<-EOT
    The cluster's managed node group: instance_types, capacity_type (ON_DEMAND or SPOT),
    min_size, max_size and desired_size (only the initial value; an autoscaler owns it
    afterwards), disk_size_gib. Passed to the eks-cluster module.
  EOT
  type = object({
    instance_types = list(string)
    capacity_type  = optional(string, "ON_DEMAND")
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size_gib  = optional(number, 50)
  })

  validation {
    condition     = length(var.node_group.instance_types) > 0
    error_message = "node_group.instance_types must name at least one instance type."
  }

  validation {
    condition     = var.node_group.min_size >= 1 && var.node_group.min_size <= var.node_group.desired_size && var.node_group.desired_size <= var.node_group.max_size
    error_message = "node_group sizes must satisfy 1 <= min_size <= desired_size <= max_size."
  }
}

variable "database" {
  description = <<-EOT
    The PostgreSQL instance: instance_class, multi_az, deletion_protection,
    backup_retention_days (point-in-time recovery window, 1 to 35) and
    performance_insights_retention_days (7, or a multiple of 31 up to 731).
  EOT
  type = object({
    instance_class                      = string
    multi_az                            = bool
    deletion_protection                 = bool
    backup_retention_days               = number
    performance_insights_retention_days = optional(number, 7)
  })

  validation {
    condition     = startswith(var.database.instance_class, "db.")
    error_message = "database.instance_class must be an RDS instance class such as db.t4g.small."
  }

  validation {
    condition     = var.database.backup_retention_days >= 1 && var.database.backup_retention_days <= 35
    error_message = "database.backup_retention_days must be between 1 and 35."
  }
}

variable "cache" {
  description = "The Redis replication group: node_type and num_cache_clusters (1 is a single node; 2 or more turn on automatic failover and Multi-AZ)."
  type = object({
    node_type          = string
    num_cache_clusters = number
  })

  validation {
    condition     = startswith(var.cache.node_type, "cache.")
    error_message = "cache.node_type must be an ElastiCache node type such as cache.t4g.micro."
  }

  validation {
    condition     = var.cache.num_cache_clusters >= 1 && var.cache.num_cache_clusters <= 6
    error_message = "cache.num_cache_clusters must be between 1 and 6."
  }
}

variable "backups" {
  description = <<-EOT
    AWS Backup of the database and the data bucket: daily_retention_days of the daily
    recovery points; monthly_retention_days adds a monthly rule (null: none); vault_lock
    (min_retention_days, max_retention_days; null: no lock) locks the vault in
    governance mode. With dr_region set, every recovery point is copied there.
  EOT
  type = object({
    daily_retention_days   = number
    monthly_retention_days = optional(number)
    vault_lock = optional(object({
      min_retention_days = number
      max_retention_days = number
    }))
  })

  validation {
    condition     = var.backups.daily_retention_days >= 1
    error_message = "backups.daily_retention_days must be at least 1."
  }

  validation {
    condition     = var.backups.monthly_retention_days == null ? true : var.backups.monthly_retention_days >= 31
    error_message = "backups.monthly_retention_days must be at least 31, or null for no monthly backups."
  }
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget of the environment in US dollars."
  type        = number

  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be positive."
  }
}

variable "budget_alert_thresholds" {
  description = "Percentages of the monthly budget that trigger an alert on actual spend."
  type        = list(number)
  default     = [50, 80, 100]

  validation {
    condition     = alltrue([for threshold in var.budget_alert_thresholds : threshold > 0 && threshold <= 1000])
    error_message = "budget_alert_thresholds must be percentages between 0 (exclusive) and 1000."
  }
}

variable "budget_alert_emails" {
  description = "Email addresses subscribed to the budget alert topic (each confirms by email)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.budget_alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "budget_alert_emails must be email addresses."
  }
}
