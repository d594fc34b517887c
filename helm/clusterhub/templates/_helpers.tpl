{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "clusterhub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; the release name alone when it already contains the chart name. */}}
{{- define "clusterhub.fullname" -}}
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

{{- define "clusterhub.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "clusterhub.labels" -}}
helm.sh/chart: {{ include "clusterhub.chart" . }}
{{ include "clusterhub.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "clusterhub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clusterhub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component; call with (dict "ctx" $ "component" "web"). */}}
{{- define "clusterhub.componentLabels" -}}
{{ include "clusterhub.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "clusterhub.componentSelectorLabels" -}}
{{ include "clusterhub.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "clusterhub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "clusterhub.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "clusterhub.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* The Secret the web and worker pods read. */}}
{{- define "clusterhub.secretName" -}}
{{- .Values.existingSecret | default (include "clusterhub.fullname" .) }}
{{- end }}

{{/* The Secret the migrations Job reads: on first install the chart's own Secret does not exist yet. */}}
{{- define "clusterhub.migrationsSecretName" -}}
{{- .Values.existingSecret | default (printf "%s-migrations" (include "clusterhub.fullname" .)) }}
{{- end }}

{{- define "clusterhub.baseUrl" -}}
{{- if .Values.baseUrl }}
{{- .Values.baseUrl }}
{{- else if .Values.ingress.enabled }}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- else }}
{{- fail "baseUrl is required when the ingress is disabled" }}
{{- end }}
{{- end }}

{{/* Non-secret settings, as a YAML map: the ConfigMap's data, and the migrations Job's env. */}}
{{- define "clusterhub.config" -}}
CLUSTERHUB_ENV: production
BASE_URL: {{ include "clusterhub.baseUrl" . | quote }}
LOG_LEVEL: {{ .Values.logLevel | quote }}
LOG_FORMAT: {{ .Values.logFormat | quote }}
REMINDER_LOCAL_HOUR: {{ .Values.reminders.localHour | quote }}
{{- with .Values.metrics.allowedCidrs }}
METRICS_ALLOWED_CIDRS: {{ join "," . | quote }}
{{- end }}
{{- with .Values.sentry.environment }}
SENTRY_ENVIRONMENT: {{ . | quote }}
{{- end }}
PROXY_FIX_X_FOR: {{ .Values.proxyFixXFor | quote }}
{{- with .Values.web.gunicornWorkers }}
GUNICORN_WORKERS: {{ . | quote }}
{{- end }}
{{- /* Empty settings are left out, so the app's own defaults apply rather than an empty string. */}}
{{- with .Values.mail.server }}
MAIL_SERVER: {{ . | quote }}
{{- end }}
MAIL_PORT: {{ .Values.mail.port | quote }}
MAIL_USE_TLS: {{ .Values.mail.useTls | quote }}
{{- with .Values.mail.defaultSender }}
MAIL_DEFAULT_SENDER: {{ . | quote }}
{{- end }}
PRIVACY_ERASURE_DAYS: {{ .Values.privacy.erasureDays | quote }}
PRIVACY_REMINDER_DAYS: {{ .Values.privacy.reminderDays | quote }}
PRIVACY_RETENTION_DAYS: {{ .Values.privacy.retentionDays | quote }}
STORAGE_BACKEND: {{ .Values.storage.backend | quote }}
{{- if eq .Values.storage.backend "local" }}
STORAGE_LOCAL_PATH: {{ .Values.storage.local.path | quote }}
{{- else }}
S3_BUCKET: {{ required "storage.s3.bucket is required when storage.backend is s3" .Values.storage.s3.bucket | quote }}
{{- with .Values.storage.s3.endpointUrl }}
S3_ENDPOINT_URL: {{ . | quote }}
{{- end }}
{{- with .Values.storage.s3.region }}
S3_REGION: {{ . | quote }}
{{- end }}
{{- end }}
{{- range $name, $value := .Values.extraEnv }}
{{ $name }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/*
Secret settings read by the web and worker pods, one key at a time rather than with envFrom, so that
MIGRATIONS_DATABASE_URL (the owner role) never reaches them even when it sits in the same Secret.
*/}}
{{- define "clusterhub.secretEnv" -}}
{{- $secret := include "clusterhub.secretName" . }}
{{- range list "SECRET_KEY" "DATABASE_URL" "REDIS_URL" }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
{{- end }}
{{- range list "REPORTING_DATABASE_URL" "MAIL_USERNAME" "MAIL_PASSWORD" "STRIPE_SECRET_KEY" "STRIPE_WEBHOOK_SECRET" "AWS_ACCESS_KEY_ID" "AWS_SECRET_ACCESS_KEY" "SENTRY_DSN" "WEBHOOK_SECRETS_KEY" }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end }}

{{/* Restart pods when the chart-managed configuration changes. */}}
{{- define "clusterhub.checksums" -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.existingSecret }}
checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{/* Volumes every ClusterHub pod needs with a read-only root file system. */}}
{{- define "clusterhub.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 512Mi
{{- if eq .Values.storage.backend "local" }}
- name: uploads
  {{- if .Values.storage.local.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.storage.local.existingClaim }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end }}
{{- end }}

{{- define "clusterhub.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if eq .Values.storage.backend "local" }}
- name: uploads
  mountPath: {{ .Values.storage.local.path }}
{{- end }}
{{- end }}
