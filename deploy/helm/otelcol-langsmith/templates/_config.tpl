{{/*
The collector config: otlp -> memory_limiter -> agent_span -> langsmith, built
from the values, then .Values.config merged over it. With scaleOut.kafka the
agents run otlp -> memory_limiter -> kafka and the gateway kafka ->
memory_limiter -> agent_span -> langsmith. Secrets appear only as
${env:...} references to variables the pod fills with secretKeyRef.
*/}}

{{- define "otelcol-langsmith.otlpProtocol" -}}
endpoint: 0.0.0.0:{{ .port.containerPort }}
{{- if .auth }}
auth:
  authenticator: bearertokenauth
{{- end }}
{{- end }}

{{- define "otelcol-langsmith.generatedConfig" -}}
{{- $gateway := .kafkaGateway }}
{{- /* A gateway's durable store is Kafka itself: it commits only what was sent. */}}
{{- $persist := and .Values.persistence.enabled (not $gateway) }}
{{- $forward := include "otelcol-langsmith.forwardOnly" . }}
{{- $auth := and .Values.receiverAuth.enabled (not $gateway) }}
{{- $kafka := .Values.scaleOut.kafka }}
receivers:
  {{- if $gateway }}
  kafka:
    brokers: {{ toYaml $kafka.brokers | nindent 6 }}
    traces:
      topics: [{{ $kafka.topic | quote }}]
      encoding: otlp_proto
    group_id: {{ include "otelcol-langsmith.kafkaGroupId" . | quote }}
    # A new group starts at the oldest span kept, not after what is waiting.
    initial_offset: earliest
    # An offset is committed only once the runs of every span up to it were
    # sent (agent_span wait_for_delivery, exporter wait_for_result): a killed
    # gateway loses nothing, the partition's next owner reads it again.
    # Refusals (memory_limiter, agent_span's budget) are retried, not
    # skipped; a permanent refusal is final.
    message_marking:
      after: true
      on_error: false
      on_permanent_error: true
    # The records of a partition wait in agent_span until their traces are
    # complete: run many at once and commit the completed prefix.
    partition_processing:
      independent: true
      max_in_flight:
        records: {{ $kafka.gateway.recordsInFlight }}
        bytes: {{ $kafka.gateway.bytesInFlight }}
        window: cross_fetch
    error_backoff:
      enabled: true
      initial_interval: 100ms
      max_interval: 5s
      max_elapsed_time: 0
  {{- else }}
  otlp:
    protocols:
      {{- if .Values.ports.otlp.enabled }}
      grpc:
        {{- include "otelcol-langsmith.otlpProtocol" (dict "port" .Values.ports.otlp "auth" $auth) | nindent 8 }}
      {{- end }}
      {{- if .Values.ports.otlpHttp.enabled }}
      http:
        {{- include "otelcol-langsmith.otlpProtocol" (dict "port" .Values.ports.otlpHttp "auth" $auth) | nindent 8 }}
      {{- end }}
  {{- end }}
processors:
  memory_limiter:
    check_interval: {{ .Values.memoryLimiter.checkInterval }}
    limit_percentage: {{ .Values.memoryLimiter.limitPercentage }}
    spike_limit_percentage: {{ .Values.memoryLimiter.spikeLimitPercentage }}
  {{- if $gateway }}
  # A trace's spans come through several agents' queues: wait a little
  # longer than on one node before taking a trace as complete, and ride out
  # a broker outage before emitting a trace with missing parents.
  agent_span:
    completion_grace: 1s
    idle_timeout: 30s
    wait_for_delivery: true
    # Read back the records before a newly assigned partition's committed
    # offset, so a trace the commit cut in two is rebuilt whole; write a
    # trace linked to another partition's trace back under that trace's key.
    kafka:
      brokers: {{ toYaml $kafka.brokers | nindent 8 }}
    # Records in flight are held beside the budget: GOMEMLIMIT comes from
    # the pod's memory limit, not from the budget alone.
    auto_memory_limit: false
  {{- else if not $forward }}
  agent_span: {}
  {{- end }}
exporters:
  {{- if $forward }}
  kafka:
    brokers: {{ toYaml $kafka.brokers | nindent 6 }}
    traces:
      topic: {{ $kafka.topic | quote }}
      encoding: otlp_proto
    # The trace id is the record key: one trace, one partition, one gateway.
    partition_traces_by_id: true
    producer:
      required_acks: -1
      compression: {{ $kafka.compression }}
    retry_on_failure:
      max_elapsed_time: 0
    {{- if $persist }}
    sending_queue:
      storage: file_storage
    {{- end }}
  {{- else }}
  langsmith:
    endpoint: {{ .Values.langsmith.endpoint | quote }}
    api_key: ${env:LANGSMITH_API_KEY}
    project: {{ .Values.langsmith.project | quote }}
    {{- with .Values.langsmith.workspaceId }}
    workspace_id: {{ . | quote }}
    {{- end }}
    {{- with .Values.langsmith.projectAttributes }}
    project_attributes: {{ toYaml . | nindent 6 }}
    {{- end }}
    {{- with .Values.langsmith.projects }}
    projects:
      {{- range $i, $p := . }}
      {{ $p.name | quote }}:
        {{- if or $p.apiKey $p.existingSecret }}
        api_key: ${env:{{ include "otelcol-langsmith.projectKeyEnv" $i }}}
        {{- end }}
        {{- with $p.workspaceId }}
        workspace_id: {{ . | quote }}
        {{- end }}
      {{- end }}
    {{- end }}
    {{- if $gateway }}
    # Answer agent_span once the runs are sent, not once they are queued.
    sending_queue:
      wait_for_result: true
    {{- else if $persist }}
    sending_queue:
      storage: file_storage
    {{- end }}
  {{- end }}
extensions:
  health_check:
    endpoint: 0.0.0.0:{{ include "otelcol-langsmith.healthPort" . }}
  {{- if $persist }}
  file_storage:
    directory: {{ .Values.persistence.mountPath }}
    # The volume already exists; this only keeps `validate` and a bare run working.
    create_directory: true
  {{- end }}
  {{- if $auth }}
  bearertokenauth:
    token: ${env:OTLP_BEARER_TOKEN}
  {{- end }}
service:
  extensions:
    - health_check
    {{- if $persist }}
    - file_storage
    {{- end }}
    {{- if $auth }}
    - bearertokenauth
    {{- end }}
  telemetry:
    resource:
      attributes:
        - name: k8s.node.name
          value: ${env:K8S_NODE_NAME}
        - name: k8s.pod.name
          value: ${env:K8S_POD_NAME}
        - name: k8s.namespace.name
          value: ${env:K8S_NAMESPACE}
    {{- if .Values.metrics.enabled }}
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 0.0.0.0
                port: {{ .Values.metrics.port }}
    {{- end }}
  pipelines:
    traces:
      {{- if $gateway }}
      receivers: [kafka]
      {{- else }}
      receivers: [otlp]
      {{- end }}
      {{- if $forward }}
      processors: [memory_limiter]
      exporters: [kafka]
      {{- else }}
      processors: [memory_limiter, agent_span]
      exporters: [langsmith]
      {{- end }}
{{- end }}

{{/* Env var holding projects[i]'s API key (index, not name: names need not be valid env names). */}}
{{- define "otelcol-langsmith.projectKeyEnv" -}}
LANGSMITH_API_KEY_{{ . }}
{{- end }}

{{- define "otelcol-langsmith.config" -}}
{{- include "otelcol-langsmith.validate" . }}
{{- $generated := include "otelcol-langsmith.generatedConfig" . | fromYaml }}
{{- if hasKey $generated "Error" }}
{{- fail (printf "generated collector config: %s" $generated.Error) }}
{{- end }}
{{- toYaml (mustMergeOverwrite $generated (deepCopy .Values.config)) }}
{{- end }}
