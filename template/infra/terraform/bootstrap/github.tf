# CI roles for GitHub Actions, two per environment:
#   <project>-ci-<env>-plan   pull requests and pushes to the default branch: read-only
#                             (terraform plan): reads the environment's state, writes
#                             only its lock file;
#   <project>-ci-<env>-apply  jobs that declare the GitHub environment <env> (`production`
#                             for prod, the one promotions use; protect it with required
#                             reviewers and the default branch as its only deployment
#                             branch): creates and changes the environment.
# The roles' own names are outside the <project>-<env>- prefix the apply role may
# manage, so it cannot rewrite itself.
# Both read through the AWS-managed ReadOnlyAccess policy, which a refresh needs
# across every resource type; it grants no kms:Decrypt and no secret values, so
# encrypted data and secrets stay unreadable.

locals {
  regions = distinct(concat([var.region], var.dr_regions))

  # Regional services the environment stacks manage.
  services = ["backup", "ec2", "eks", "elasticache", "kms", "logs", "rds", "secretsmanager", "sns"]

  state_bucket_arn = module.state.bucket_arns["tfstate"]
  read_only_policy = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"

  # AWS-managed policies the modules attach to the environment's roles.
  attachable_policies = [
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKSClusterPolicy",
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
    "service-role/AmazonRDSEnhancedMonitoringRole",
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
  ]
}

data "aws_iam_policy_document" "state" {
  for_each = toset(var.environments)

  statement {
    sid       = "ListStateBucket"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]
  }

  statement {
    sid       = "ReadEnvironmentState"
    actions   = ["s3:GetObject"]
    resources = ["${local.state_bucket_arn}/envs/${each.key}/*"]
  }

  # A plan locks the state too: it writes and deletes <key>.tflock next to it.
  statement {
    sid       = "LockEnvironmentState"
    actions   = ["s3:DeleteObject", "s3:PutObject"]
    resources = ["${local.state_bucket_arn}/envs/${each.key}/*.tflock"]
  }

  statement {
    sid       = "UseStateKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [module.kms.key_arns["tfstate"]]
  }
}

data "aws_iam_policy_document" "apply" {
  for_each = toset(var.environments)

  source_policy_documents = [data.aws_iam_policy_document.state[each.key].json]

  # Only applies write the state itself.
  statement {
    sid       = "WriteEnvironmentState"
    actions   = ["s3:PutObject"]
    resources = ["${local.state_bucket_arn}/envs/${each.key}/*"]
  }

  # Whole services, but only in this account and the environment's regions.
  # Terraform owns each resource's full lifecycle, so per-action lists break on the
  # next provider upgrade; the boundary that matters is account, region and name.
  statement {
    sid       = "ManageRegionalServices"
    actions   = [for service in local.services : "${service}:*"]
    resources = flatten([for region in local.regions : [for service in local.services : "arn:${local.partition}:${service}:${region}:${local.account_id}:*"]])
  }

  # Actions that AWS does not scope to a resource ARN.
  statement {
    sid       = "CreateWithoutResourceScope"
    actions   = ["backup-storage:MountCapsule", "kms:CreateKey"]
    resources = ["*"]
  }

  statement {
    sid       = "ManageEnvironmentBuckets"
    actions   = ["s3:*"]
    resources = ["arn:${local.partition}:s3:::${var.project}-${each.key}-*"]
  }

  statement {
    sid       = "ManageEnvironmentBudgets"
    actions   = ["budgets:*"]
    resources = ["arn:${local.partition}:budgets::${local.account_id}:budget/${var.project}-${each.key}-*"]
  }

  # IAM only for the environment's own roles (name prefix), which it may pass to
  # EKS, RDS, VPC flow logs, S3 replication and AWS Backup. Inline role policies are
  # allowed too, so the apply role is as powerful as the environment: guard the
  # GitHub environment that may assume it.
  statement {
    sid = "ManageEnvironmentRoles"
    actions = [
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:PassRole",
      "iam:PutRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.project}-${each.key}-*"]
  }

  # Only the AWS-managed policies the modules attach.
  statement {
    sid       = "AttachKnownManagedPolicies"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.project}-${each.key}-*"]

    condition {
      test     = "ArnEquals"
      variable = "iam:PolicyARN"
      values   = [for policy in local.attachable_policies : "arn:${local.partition}:iam::aws:policy/${policy}"]
    }
  }

  # The EKS cluster's OIDC provider for IRSA.
  statement {
    sid = "ManageClusterOidcProviders"
    actions = [
      "iam:CreateOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
    ]
    resources = ["arn:${local.partition}:iam::${local.account_id}:oidc-provider/oidc.eks.*.amazonaws.com/id/*"]
  }

  # EKS, RDS, ElastiCache and Auto Scaling create their service-linked roles on first use.
  statement {
    sid       = "CreateServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/*"]
  }
}

module "github" {
  source = "../modules/aws/iam"

  github_repository    = var.github_repository
  create_oidc_provider = var.create_github_oidc_provider
  roles = merge(
    {
      for environment in var.environments : "${var.project}-ci-${environment}-plan" => {
        description         = "terraform plan of ${environment} from GitHub Actions (pull requests and ${var.default_branch})"
        branches            = [var.default_branch]
        pull_requests       = true
        managed_policy_arns = [local.read_only_policy]
        inline_policies     = { terraform-state = data.aws_iam_policy_document.state[environment].json }
      }
    },
    {
      for environment in var.environments : "${var.project}-ci-${environment}-apply" => {
        description = "terraform apply of ${environment} from GitHub Actions (environment ${environment})"
        # The GitHub environment is the one promotions use: prod's is `production`.
        environments        = [environment == "prod" ? "production" : environment]
        managed_policy_arns = [local.read_only_policy]
        inline_policies     = { terraform-apply = data.aws_iam_policy_document.apply[environment].json }
      }
    },
  )
  tags = local.tags
}
