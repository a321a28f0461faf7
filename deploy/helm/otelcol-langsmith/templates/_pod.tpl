{{/* The pod template shared by the DaemonSet (agent) and the Deployment (gateway). */}}

{{- define "otelcol-langsmith.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .key }}
{{- end }}

{{/* Environment: downward API for the collector's own telemetry, keys only through secretKeyRef. */}}
{{- define "otelcol-langsmith.env" -}}
{{- $secret := include "otelcol-langsmith.secretName" . -}}
- name: K8S_NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
- name: K8S_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: K8S_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- if and .Values.goMemLimit.enabled .Values.resources.limits .Values.resources.limits.memory }}
- name: GOMEMLIMIT
  value: {{ include "otelcol-langsmith.gomemlimit" . | quote }}
{{- end }}
{{- /* Agents that only forward to Kafka get no LangSmith key. */}}
{{- if not (include "otelcol-langsmith.forwardOnly" .) }}
{{- $ls := .Values.langsmith }}
{{ include "otelcol-langsmith.secretEnv" (dict "env" "LANGSMITH_API_KEY" "name" (default $secret $ls.existingSecret) "key" (ternary $ls.existingSecretKey "api-key" (ne $ls.existingSecret ""))) }}
{{- range $i, $p := $ls.projects }}
{{- if $p.existingSecret }}
{{ include "otelcol-langsmith.secretEnv" (dict "env" (include "otelcol-langsmith.projectKeyEnv" $i) "name" $p.existingSecret "key" (default "api-key" $p.existingSecretKey)) }}
{{- else if $p.apiKey }}
{{ include "otelcol-langsmith.secretEnv" (dict "env" (include "otelcol-langsmith.projectKeyEnv" $i) "name" $secret "key" (printf "project-%d-api-key" $i)) }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.receiverAuth }}
{{- if .enabled }}
{{ include "otelcol-langsmith.secretEnv" (dict "env" "OTLP_BEARER_TOKEN" "name" (default $secret .existingSecret) "key" (ternary .existingSecretKey "otlp-bearer-token" (ne .existingSecret ""))) }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Runs as root only to hand the kubelet-created (root-owned) hostPath directory
to the collector's uid/gid; CHOWN and FOWNER are all it needs.
*/}}
{{- define "otelcol-langsmith.prepareQueueDir" -}}
- name: prepare-queue-dir
  image: {{ include "otelcol-langsmith.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command: [/prepare-queue-dir]
  args:
    - -dir
    - {{ .Values.persistence.mountPath }}
    - -uid
    - {{ .Values.podSecurityContext.runAsUser | quote }}
    - -gid
    - {{ .Values.podSecurityContext.runAsGroup | quote }}
  securityContext:
    runAsUser: 0
    runAsGroup: 0
    runAsNonRoot: false
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    capabilities:
      drop: [ALL]
      add: [CHOWN, FOWNER]
  resources:
    requests:
      cpu: 10m
      memory: 16Mi
    limits:
      memory: 32Mi
  volumeMounts:
    - name: queue
      mountPath: {{ .Values.persistence.mountPath }}
{{- end }}

{{/* Pod template; .isAgent adds the hostPorts. */}}
{{- define "otelcol-langsmith.podTemplate" -}}
{{- with .root -}}
metadata:
  annotations:
    checksum/config: {{ include "otelcol-langsmith.config" . | sha256sum }}
    {{- if include "otelcol-langsmith.createSecret" . }}
    {{- /* A hash, never the keys: rotating a key through values rolls the pods. */}}
    checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
    {{- end }}
    {{- if and .Values.metrics.enabled .Values.metrics.scrapeAnnotations }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ .Values.metrics.port | quote }}
    prometheus.io/path: /metrics
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  labels:
    {{- include "otelcol-langsmith.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "otelcol-langsmith.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.podSecurityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if include "otelcol-langsmith.hostPathPersistence" . }}
  initContainers:
    {{- include "otelcol-langsmith.prepareQueueDir" . | nindent 4 }}
  {{- end }}
  containers:
    - name: otelcol-langsmith
      image: {{ include "otelcol-langsmith.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      command: [/otelcol-langsmith]
      args:
        - --config={{ include "otelcol-langsmith.configDir" . }}/config.yaml
      env:
        {{- include "otelcol-langsmith.env" . | nindent 8 }}
      {{- /* The gateway of scaleOut.kafka reads Kafka and listens for no OTLP. */}}
      {{- $otlpPorts := dict }}
      {{- if not .kafkaGateway }}
      {{- $otlpPorts = dict "otlp" .Values.ports.otlp "otlp-http" .Values.ports.otlpHttp }}
      {{- end }}
      ports:
        {{- range $name, $port := $otlpPorts }}
        {{- if $port.enabled }}
        - name: {{ $name }}
          containerPort: {{ $port.containerPort }}
          protocol: TCP
          {{- if and $.isAgent $port.hostPort }}
          hostPort: {{ $port.hostPort }}
          {{- end }}
        {{- end }}
        {{- end }}
        - name: health
          containerPort: {{ include "otelcol-langsmith.healthPort" . }}
          protocol: TCP
        {{- if .Values.metrics.enabled }}
        - name: metrics
          containerPort: {{ .Values.metrics.port }}
          protocol: TCP
        {{- end }}
      readinessProbe:
        httpGet:
          path: /
          port: health
        periodSeconds: 5
      livenessProbe:
        httpGet:
          path: /
          port: health
        initialDelaySeconds: 10
        periodSeconds: 10
      {{- with .Values.securityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: config
          mountPath: {{ include "otelcol-langsmith.configDir" . }}
          readOnly: true
        {{- if .Values.persistence.enabled }}
        - name: queue
          mountPath: {{ .Values.persistence.mountPath }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "otelcol-langsmith.workloadName" . }}
        items:
          - key: config.yaml
            path: config.yaml
    {{- if .Values.persistence.enabled }}
    - name: queue
      {{- if include "otelcol-langsmith.hostPathPersistence" . }}
      hostPath:
        path: {{ include "otelcol-langsmith.queueHostPath" . }}
        type: DirectoryOrCreate
      {{- else }}
      emptyDir:
        {{- with .Values.persistence.emptyDir.sizeLimit }}
        sizeLimit: {{ . }}
        {{- else }} {}
        {{- end }}
      {{- end }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}
