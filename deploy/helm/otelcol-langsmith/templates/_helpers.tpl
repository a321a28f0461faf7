{{/* Names, labels and derived values shared by the templates. */}}

{{- define "otelcol-langsmith.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "otelcol-langsmith.fullname" -}}
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

{{- define "otelcol-langsmith.component" -}}
{{- if eq .Values.mode "deployment" }}gateway{{ else }}agent{{ end }}
{{- end }}

{{/*
The Kafka tier (scaleOut.kafka): the agents only forward to Kafka, and
templates/gateway.yaml renders the gateway with a context of its own, marked
kafkaGateway, whose Values are the gateway's.
*/}}
{{- define "otelcol-langsmith.forwardOnly" -}}
{{- if and .Values.scaleOut.kafka.enabled (not .kafkaGateway) }}true{{ end }}
{{- end }}

{{/* Name of the workload and of its ConfigMap: the gateway's carry a suffix. */}}
{{- define "otelcol-langsmith.workloadName" -}}
{{- $name := include "otelcol-langsmith.fullname" . }}
{{- if .kafkaGateway }}
{{- printf "%s-gateway" ($name | trunc 55 | trimSuffix "-") }}
{{- else }}
{{- $name }}
{{- end }}
{{- end }}

{{- define "otelcol-langsmith.kafkaGroupId" -}}
{{- .Values.scaleOut.kafka.groupId | default (printf "%s-gateway" (include "otelcol-langsmith.fullname" .)) }}
{{- end }}

{{- define "otelcol-langsmith.selectorLabels" -}}
app.kubernetes.io/name: {{ include "otelcol-langsmith.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ include "otelcol-langsmith.component" . }}
{{- end }}

{{- define "otelcol-langsmith.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "otelcol-langsmith.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "otelcol-langsmith.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "otelcol-langsmith.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "otelcol-langsmith.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The health_check extension's port, probed by kubelet. */}}
{{- define "otelcol-langsmith.healthPort" -}}13133{{- end }}

{{/* Where the collector config is mounted; the ConfigMap key is config.yaml. */}}
{{- define "otelcol-langsmith.configDir" -}}/conf{{- end }}

{{/*
The queue directory on the node: one per namespace and release, so two releases
on a node never share a file_storage database.
*/}}
{{- define "otelcol-langsmith.queueHostPath" -}}
{{- printf "%s/%s-%s" (trimSuffix "/" .Values.persistence.hostPath) .Release.Namespace .Release.Name }}
{{- end }}

{{- define "otelcol-langsmith.persistenceType" -}}
{{- .Values.persistence.type | default (ternary "emptyDir" "hostPath" (eq .Values.mode "deployment")) }}
{{- end }}

{{- define "otelcol-langsmith.hostPathPersistence" -}}
{{- if and .Values.persistence.enabled (eq (include "otelcol-langsmith.persistenceType" .) "hostPath") }}true{{ end }}
{{- end }}

{{/*
Memory quantity (512Mi, 1Gi, 500M, 536870912) to bytes, as a float.
*/}}
{{- define "otelcol-langsmith.memoryBytes" -}}
{{- $q := toString . }}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$" $q) }}
{{- fail (printf "resources.limits.memory %q: use a plain number or a Ki/Mi/Gi/Ti/k/M/G/T suffix" $q) }}
{{- end }}
{{- $units := dict "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "k" 1000.0 "M" 1000000.0 "G" 1000000000.0 "T" 1000000000000.0 }}
{{- $number := regexFind "^[0-9.]+" $q }}
{{- $unit := trimPrefix $number $q }}
{{- mulf (float64 $number) (get $units $unit | default 1.0) }}
{{- end }}

{{/* GOMEMLIMIT: goMemLimit.percent of the container memory limit, in whole MiB. */}}
{{- define "otelcol-langsmith.gomemlimit" -}}
{{- $bytes := include "otelcol-langsmith.memoryBytes" .Values.resources.limits.memory | float64 }}
{{- printf "%dMiB" (divf (mulf $bytes .Values.goMemLimit.percent 0.01) 1048576.0 | floor | int64) }}
{{- end }}

{{/* Name of the Secret the chart creates for literal keys and tokens. */}}
{{- define "otelcol-langsmith.secretName" -}}
{{- include "otelcol-langsmith.fullname" . }}
{{- end }}

{{/* Whether the chart creates its Secret: some key or token was given literally. */}}
{{- define "otelcol-langsmith.createSecret" -}}
{{- $literal := or .Values.langsmith.apiKey (and .Values.receiverAuth.enabled .Values.receiverAuth.token) }}
{{- range .Values.langsmith.projects }}
{{- $literal = or $literal .apiKey }}
{{- end }}
{{- if $literal }}true{{ end }}
{{- end }}

{{/*
Checks that fail the render with a message instead of producing pods that
crash: a key source, unambiguous secrets, percentages under GOMEMLIMIT.
*/}}
{{- define "otelcol-langsmith.validate" -}}
{{- $ls := .Values.langsmith }}
{{- if and (not $ls.apiKey) (not $ls.existingSecret) }}
{{- fail "langsmith: set langsmith.existingSecret (a Secret holding the API key under langsmith.existingSecretKey) or langsmith.apiKey" }}
{{- end }}
{{- if and $ls.apiKey $ls.existingSecret }}
{{- fail "langsmith: set only one of langsmith.apiKey and langsmith.existingSecret" }}
{{- end }}
{{- range $i, $p := $ls.projects }}
{{- if and $p.apiKey $p.existingSecret }}
{{- fail (printf "langsmith.projects[%d] (%s): set only one of apiKey and existingSecret" $i $p.name) }}
{{- end }}
{{- if not (or $p.apiKey $p.existingSecret $p.workspaceId) }}
{{- fail (printf "langsmith.projects[%d] (%s): set apiKey, existingSecret or workspaceId" $i $p.name) }}
{{- end }}
{{- end }}
{{- if .Values.receiverAuth.enabled }}
{{- if not (or .Values.receiverAuth.token .Values.receiverAuth.existingSecret) }}
{{- fail "receiverAuth: set receiverAuth.existingSecret or receiverAuth.token" }}
{{- end }}
{{- if and .Values.receiverAuth.token .Values.receiverAuth.existingSecret }}
{{- fail "receiverAuth: set only one of receiverAuth.token and receiverAuth.existingSecret" }}
{{- end }}
{{- end }}
{{- if not (or .Values.ports.otlp.enabled .Values.ports.otlpHttp.enabled) }}
{{- fail "ports: enable ports.otlp or ports.otlpHttp" }}
{{- end }}
{{- if and (eq .Values.mode "deployment") (include "otelcol-langsmith.hostPathPersistence" .) }}
{{- fail "persistence.type hostPath is per node and cannot be shared by gateway replicas: with mode deployment set persistence.type=emptyDir or persistence.enabled=false" }}
{{- end }}
{{- if include "otelcol-langsmith.hostPathPersistence" . }}
{{- if not (and .Values.podSecurityContext.runAsUser .Values.podSecurityContext.runAsGroup) }}
{{- fail "persistence.type hostPath: set podSecurityContext.runAsUser and runAsGroup, the owner given to the queue directory" }}
{{- end }}
{{- end }}
{{- with .Values.scaleOut.kafka }}
{{- if and .enabled (not $.kafkaGateway) }}
{{- if ne $.Values.mode "daemonset" }}
{{- fail "scaleOut.kafka needs mode daemonset: the agents are the DaemonSet, the chart adds the gateway Deployment" }}
{{- end }}
{{- if not .brokers }}
{{- fail "scaleOut.kafka: set scaleOut.kafka.brokers (host:port of at least one broker)" }}
{{- end }}
{{- if gt (int .gateway.replicas) (int .partitions) }}
{{- fail (printf "scaleOut.kafka.gateway.replicas (%d) above scaleOut.kafka.partitions (%d): a replica without a partition only idles" (int .gateway.replicas) (int .partitions)) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and .Values.goMemLimit.enabled (ge (int .Values.memoryLimiter.limitPercentage) (int .Values.goMemLimit.percent)) }}
{{- fail "memoryLimiter.limitPercentage must be below goMemLimit.percent so the limiter pushes back before the Go runtime runs out of room" }}
{{- end }}
{{- if ge (int .Values.memoryLimiter.spikeLimitPercentage) (int .Values.memoryLimiter.limitPercentage) }}
{{- fail "memoryLimiter.spikeLimitPercentage must be below memoryLimiter.limitPercentage" }}
{{- end }}
{{- end }}
