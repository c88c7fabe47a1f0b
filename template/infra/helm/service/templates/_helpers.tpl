{{/*
Name of the service: the chart name or nameOverride, used in labels.
*/}}
{{- define "service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of every object: fullnameOverride, else the release name when it already
contains the service name, else <release>-<name>. 63 characters at most (DNS label).
*/}}
{{- define "service.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels that identify the service's pods, whatever their role (server or migration).
*/}}
{{- define "service.instanceLabels" -}}
app.kubernetes.io/name: {{ include "service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector of the serving pods: stable for the life of a release, so it never changes
on upgrade (selectors are immutable). The component keeps migration pods out of it.
*/}}
{{- define "service.selectorLabels" -}}
{{ include "service.instanceLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{/*
Labels that do not select anything: chart, version, manager and system.
*/}}
{{- define "service.metaLabels" -}}
helm.sh/chart: {{ include "service.chart" . }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.partOf }}
app.kubernetes.io/part-of: {{ . }}
{{- end }}
{{- end }}

{{/*
Labels of every object of the serving workload.
*/}}
{{- define "service.labels" -}}
{{ include "service.metaLabels" . }}
{{ include "service.selectorLabels" . }}
{{- end }}

{{/*
Labels of the migration Job and its pod.
*/}}
{{- define "service.migrationLabels" -}}
{{ include "service.metaLabels" . }}
{{ include "service.instanceLabels" . }}
app.kubernetes.io/component: migrations
{{- end }}

{{/*
Name of the ServiceAccount the pods run as.
*/}}
{{- define "service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: repository@digest when a digest is given, else repository:tag
(the tag defaults to the chart's appVersion).
*/}}
{{- define "service.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The workload the autoscalers scale: the Rollout when canaries are on, else the Deployment.
*/}}
{{- define "service.scaleTargetRef" -}}
{{- if .Values.rollout.enabled }}
apiVersion: argoproj.io/v1alpha1
kind: Rollout
{{- else }}
apiVersion: apps/v1
kind: Deployment
{{- end }}
name: {{ include "service.fullname" . }}
{{- end }}

{{/*
True (non-empty) when an autoscaler owns the replica count.
*/}}
{{- define "service.autoscaled" -}}
{{- if and .Values.autoscaling.enabled .Values.keda.enabled }}
{{- fail "autoscaling.enabled and keda.enabled are exclusive: KEDA creates its own HorizontalPodAutoscaler. Turn one of them off." }}
{{- end }}
{{- if or .Values.autoscaling.enabled .Values.keda.enabled }}true{{ end }}
{{- end }}

{{/*
Security context of every container: no root, no privilege escalation, no Linux
capabilities, and a read-only root filesystem (scratch space is the /tmp emptyDir).
*/}}
{{- define "service.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
{{- end }}

{{/*
Pod-level settings shared by the serving pods and the migration pod.
*/}}
{{- define "service.podCommon" -}}
serviceAccountName: {{ include "service.serviceAccountName" . }}
# The services never call the Kubernetes API: no token in the pod.
automountServiceAccountToken: false
# Service discovery is DNS; no environment variable per Service in the namespace.
enableServiceLinks: false
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .Values.securityContext.runAsUser }}
  runAsGroup: {{ .Values.securityContext.runAsGroup }}
  fsGroup: {{ .Values.securityContext.fsGroup }}
  fsGroupChangePolicy: OnRootMismatch
  seccompProfile:
    type: RuntimeDefault
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Environment of every container: ENVIRONMENT and LOG_LEVEL first (environment overlays
patch them by position), then the paths of the secret files, then the service's own
variables.
*/}}
{{- define "service.env" -}}
- name: ENVIRONMENT
  value: {{ .Values.environment | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- range .Values.secretFiles }}
{{- if .env }}
- name: {{ .env }}
  value: /run/secrets/{{ .name }}/{{ .key }}
{{- end }}
{{- end }}
{{- with .Values.env }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Volume mounts and volumes of every container: /tmp, the secret files, the extra ones.
*/}}
{{- define "service.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- range .Values.secretFiles }}
- name: secret-{{ .name }}
  mountPath: /run/secrets/{{ .name }}
  readOnly: true
{{- end }}
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "service.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- range .Values.secretFiles }}
- name: secret-{{ .name }}
  secret:
    secretName: {{ .secretName }}
    # 0440: readable by the pod's fsGroup (the service's user), by nobody else.
    defaultMode: 288
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Pod template of the serving workload (Deployment or Rollout).
*/}}
{{- define "service.podTemplate" -}}
metadata:
  labels:
    {{- include "service.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- include "service.podCommon" . | nindent 2 }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- if .Values.topologySpread.enabled }}
  topologySpreadConstraints:
    {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
    - topologyKey: {{ . }}
      maxSkew: {{ $.Values.topologySpread.maxSkew }}
      whenUnsatisfiable: {{ $.Values.topologySpread.whenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "service.selectorLabels" $ | nindent 10 }}
    {{- end }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: app
      image: {{ include "service.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: {{ .Values.containerPort }}
          protocol: TCP
      env:
        {{- include "service.env" . | nindent 8 }}
      {{- with .Values.envFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- include "service.containerSecurityContext" . | nindent 8 }}
      {{- range $probe, $settings := dict "startupProbe" .Values.probes.startup "livenessProbe" .Values.probes.liveness "readinessProbe" .Values.probes.readiness }}
      {{ $probe }}:
        httpGet:
          path: {{ $settings.path }}
          port: http
        periodSeconds: {{ $settings.periodSeconds }}
        timeoutSeconds: {{ $settings.timeoutSeconds }}
        failureThreshold: {{ $settings.failureThreshold }}
      {{- end }}
      lifecycle:
        preStop:
          sleep:
            seconds: {{ .Values.preStopSleepSeconds }}
      volumeMounts:
        {{- include "service.volumeMounts" . | nindent 8 }}
  volumes:
    {{- include "service.volumes" . | nindent 4 }}
{{- end }}
