{{- define "rapport.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rapport.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "rapport.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "rapport.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "rapport.selector" -}}
app.kubernetes.io/name: {{ include "rapport.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "rapport.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "rapport.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "rapport.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "rapport.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "rapport.fullname" .)) -}}
{{- end -}}

{{/* Production must be given every secret it uses; the message names the value. */}}
{{- define "rapport.checkSecrets" -}}
{{- if and (eq .Values.env "production") (not .Values.secrets.existingSecret) -}}
{{- $s := .Values.secrets -}}
{{- $_ := required "secrets.secretKey (RAPPORT_SECRET_KEY) is required in production: set it (at least 32 characters) or name a Secret holding it in secrets.existingSecret" $s.secretKey -}}
{{- if lt (len $s.secretKey) 32 -}}
{{- fail "secrets.secretKey (RAPPORT_SECRET_KEY) must be at least 32 characters in production" -}}
{{- end -}}
{{- $_ := required "secrets.databaseUrl (RAPPORT_DATABASE_URL, the owner role) is required in production, or secrets.existingSecret" $s.databaseUrl -}}
{{- $_ := required "secrets.appDatabaseUrl (RAPPORT_APP_DATABASE_URL, the application role) is required in production, or secrets.existingSecret" $s.appDatabaseUrl -}}
{{- if .Values.billing.enabled -}}
{{- $_ := required "secrets.stripe.secretKey (RAPPORT_STRIPE_SECRET_KEY) is required in production with billing.enabled, or secrets.existingSecret" $s.stripe.secretKey -}}
{{- $_ := required "secrets.stripe.webhookSecret (RAPPORT_STRIPE_WEBHOOK_SECRET) is required in production with billing.enabled, or secrets.existingSecret" $s.stripe.webhookSecret -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Server processes per web pod: web.processes, else the CPUs of the limit (or request). */}}
{{- define "rapport.webProcesses" -}}
{{- if .Values.web.processes -}}
{{- .Values.web.processes -}}
{{- else -}}
{{- $r := .Values.web.resources | default dict -}}
{{- $cpu := toString (dig "limits" "cpu" (dig "requests" "cpu" "1" $r) $r) -}}
{{- if hasSuffix "m" $cpu -}}
{{- max 1 (div (add (trimSuffix "m" $cpu | atoi) 999) 1000) -}}
{{- else -}}
{{- max 1 (ceil (float64 $cpu) | int) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "rapport.baseUrl" -}}
{{- if .Values.baseUrl -}}
{{- .Values.baseUrl -}}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts -}}
{{- printf "%s://%s" (ternary "https" "http" (gt (len .Values.ingress.tls) 0)) (index .Values.ingress.hosts 0).host -}}
{{- else -}}
{{- printf "http://%s" (include "rapport.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Environment shared by the web, worker and migration containers. */}}
{{- define "rapport.env" -}}
- name: RAPPORT_ENV
  value: {{ .Values.env | quote }}
- name: RAPPORT_BASE_URL
  value: {{ include "rapport.baseUrl" . | quote }}
- name: RAPPORT_LOG_JSON
  value: "1"
- name: RAPPORT_DATA_DIR
  value: /tmp/rapport
{{- range $name, $key := dict "RAPPORT_SECRET_KEY" "secret-key" "RAPPORT_DATABASE_URL" "database-url" "RAPPORT_APP_DATABASE_URL" "app-database-url" }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "rapport.secretName" $ }}
      key: {{ $key }}
{{- end }}
{{- range $name, $key := dict "RAPPORT_SMTP_URL" "smtp-url" "RAPPORT_METRICS_TOKEN" "metrics-token" "RAPPORT_STRIPE_SECRET_KEY" "stripe-secret-key" "RAPPORT_STRIPE_WEBHOOK_SECRET" "stripe-webhook-secret" }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "rapport.secretName" $ }}
      key: {{ $key }}
      optional: true
{{- end }}
{{- with .Values.tracing.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ include "rapport.fullname" $ | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "rapport.podSpecCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- end -}}
