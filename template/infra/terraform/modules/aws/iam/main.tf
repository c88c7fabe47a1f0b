locals {
  oidc_host         = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn

  # GitHub's subject claim, one value per allowed branch, environment or pull request.
  subjects = {
    for name, role in var.roles : name => concat(
      [for branch in role.branches : "repo:${var.github_repository}:ref:refs/heads/${branch}"],
      [for environment in role.environments : "repo:${var.github_repository}:environment:${environment}"],
      role.pull_requests ? ["repo:${var.github_repository}:pull_request"] : [],
    )
  }

  policy_attachments = merge([
    for name, role in var.roles : {
      for arn in role.managed_policy_arns : "${name}|${arn}" => { role = name, policy_arn = arn }
    }
  ]...)

  inline_policies = merge([
    for name, role in var.roles : {
      for policy, document in role.inline_policies : "${name}|${policy}" => { role = name, name = policy, document = document }
    }
  ]...)
}

# GitHub Actions exchanges a short-lived OIDC token for temporary credentials:
# no access keys exist to leak or rotate. IAM trusts GitHub's certificate chain
# itself, so no thumbprint is pinned.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]

  tags = var.tags
}

data "aws_iam_policy_document" "trust" {
  for_each = var.roles

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Exact matches only: no wildcard can widen the role to other repositories,
    # branches or environments.
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = local.subjects[each.key]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = var.roles

  name                 = each.key
  description          = each.value.description
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = each.value.max_session_duration_seconds

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.oidc_provider_arn != null
      error_message = "Pass oidc_provider_arn when create_oidc_provider is false."
    }
  }
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = local.policy_attachments

  role       = aws_iam_role.this[each.value.role].name
  policy_arn = each.value.policy_arn
}

resource "aws_iam_role_policy" "this" {
  for_each = local.inline_policies

  name   = each.value.name
  role   = aws_iam_role.this[each.value.role].id
  policy = each.value.document
}
