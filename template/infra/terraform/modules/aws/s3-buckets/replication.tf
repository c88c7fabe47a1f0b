# Optional cross-region replication: every new object version (and delete marker)
# of a listed bucket is copied to a bucket in another region, re-encrypted with that
# region's key. Objects that existed before replication was turned on need an S3
# Batch Replication job.

data "aws_iam_policy_document" "replication_trust" {
  count = length(local.replicated) > 0 ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "replication" {
  count = length(local.replicated) > 0 ? 1 : 0

  statement {
    sid       = "ReadSourceConfiguration"
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [for name in keys(local.replicated) : aws_s3_bucket.this[name].arn]
  }

  statement {
    sid = "ReadSourceVersions"
    actions = [
      "s3:GetObjectVersionAcl",
      "s3:GetObjectVersionForReplication",
      "s3:GetObjectVersionTagging",
    ]
    resources = [for name in keys(local.replicated) : "${aws_s3_bucket.this[name].arn}/*"]
  }

  statement {
    sid       = "WriteReplicas"
    actions   = ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"]
    resources = [for destination in values(local.replicated) : "${destination}/*"]
  }

  statement {
    sid       = "DecryptSource"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "EncryptReplicas"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.replication.destination_kms_key_arn]
  }
}

resource "aws_iam_role" "replication" {
  count = length(local.replicated) > 0 ? 1 : 0

  name               = "${var.name}-s3-replication"
  assume_role_policy = data.aws_iam_policy_document.replication_trust[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "replication" {
  count = length(local.replicated) > 0 ? 1 : 0

  name   = "replicate-buckets"
  role   = aws_iam_role.replication[0].id
  policy = data.aws_iam_policy_document.replication[0].json
}

resource "aws_s3_bucket_replication_configuration" "this" {
  for_each = local.replicated

  bucket = aws_s3_bucket.this[each.key].id
  role   = aws_iam_role.replication[0].arn

  rule {
    id     = "cross-region"
    status = "Enabled"

    filter {}

    delete_marker_replication {
      status = "Enabled"
    }

    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = each.value
      storage_class = "STANDARD_IA"

      encryption_configuration {
        replica_kms_key_id = var.replication.destination_kms_key_arn
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}
