package helmtest

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// kafkaArgs turns on the Kafka tier with one broker.
var kafkaArgs = []string{"--set", "scaleOut.kafka.enabled=true", "--set", "scaleOut.kafka.brokers={kafka:9092}"}

// gatewayPod is the gateway Deployment's pod template and collector container.
func (m decodedManifests) gatewayPod(t *testing.T) (corev1.PodTemplateSpec, *corev1.Container) {
	t.Helper()
	if m.gatewayDeployment == nil || m.gatewayConfigMap == nil {
		t.Fatal("no gateway Deployment and ConfigMap")
	}
	tmpl := m.gatewayDeployment.Spec.Template
	for i := range tmpl.Spec.Containers {
		if tmpl.Spec.Containers[i].Name == "otelcol-langsmith" {
			return tmpl, &tmpl.Spec.Containers[i]
		}
	}
	t.Fatal("no otelcol-langsmith container in the gateway")
	return tmpl, nil
}

func (m decodedManifests) gatewayConfig(t *testing.T) map[string]any {
	t.Helper()
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(m.gatewayConfigMap.Data[configKey]), &cfg); err != nil {
		t.Fatalf("gateway config is not YAML: %v", err)
	}
	return cfg
}

// The default stays the single tier: no gateway, agents export to LangSmith.
func TestScaleOutOffByDefault(t *testing.T) {
	m := renderDecoded(t)
	if m.gatewayDeployment != nil || m.gatewayConfigMap != nil {
		t.Fatal("a gateway rendered without scaleOut.kafka.enabled")
	}
	if lookup(m.parsedConfig(t), "exporters", "kafka") != nil {
		t.Fatal("the default agent exports to Kafka")
	}
}

// Agents forward to Kafka keyed by trace id from a queue on the node, and
// hold no LangSmith key; the gateway replicas consume the topic as one group
// and run agent_span and langsmith.
func TestScaleOutKafkaTier(t *testing.T) {
	m := renderDecoded(t, append(kafkaArgs, "--set", "scaleOut.kafka.gateway.replicas=3", "--set", "scaleOut.kafka.topic=spans")...)
	agent := m.parsedConfig(t)
	if got := lookup(agent, "service", "pipelines", "traces"); !reflect.DeepEqual(got, map[string]any{
		"receivers": []any{"otlp"}, "processors": []any{"memory_limiter"}, "exporters": []any{"kafka"}}) {
		t.Fatalf("agent pipeline: %v", got)
	}
	kafka := lookup(agent, "exporters", "kafka")
	for path, want := range map[string]any{
		"partition_traces_by_id": true, "traces.topic": "spans", "traces.encoding": "otlp_proto",
		"sending_queue.storage": "file_storage", "producer.required_acks": float64(-1),
	} {
		if got := lookup(kafka, strings.Split(path, ".")...); got != want {
			t.Errorf("agent exporters.kafka.%s = %v, want %v", path, got, want)
		}
	}
	if got := lookup(kafka, "brokers"); !reflect.DeepEqual(got, []any{"kafka:9092"}) {
		t.Errorf("agent brokers: %v", got)
	}
	agentTmpl, agentC := m.podSpec(t)
	if m.daemonSet == nil || volume(agentTmpl.Spec, "queue").HostPath == nil {
		t.Fatal("the agents must be the DaemonSet with the queue on the node")
	}
	if envVar(agentC, "LANGSMITH_API_KEY") != nil {
		t.Error("a forwarding agent gets the LangSmith key")
	}

	if *m.gatewayDeployment.Spec.Replicas != 3 {
		t.Errorf("gateway replicas %d, want 3", *m.gatewayDeployment.Spec.Replicas)
	}
	gwTmpl, gwC := m.gatewayPod(t)
	if sel := m.gatewayDeployment.Spec.Selector.MatchLabels; sel["app.kubernetes.io/component"] != "gateway" ||
		reflect.DeepEqual(sel, m.daemonSet.Spec.Selector.MatchLabels) {
		t.Errorf("gateway selector %v must differ from the agents'", sel)
	}
	if cm := volume(gwTmpl.Spec, "config"); cm == nil || cm.ConfigMap.Name != m.gatewayConfigMap.Name {
		t.Errorf("gateway config volume: %+v", cm)
	}
	if q := volume(gwTmpl.Spec, "queue"); q == nil || q.HostPath != nil || q.EmptyDir == nil {
		t.Errorf("gateway queue must be an emptyDir: %+v", q)
	}
	for _, p := range gwC.Ports {
		if p.HostPort != 0 || p.Name == "otlp" || p.Name == "otlp-http" {
			t.Errorf("the gateway listens for no OTLP: %+v", p)
		}
	}
	secretRef(t, gwC, "LANGSMITH_API_KEY", "ls-key", "api-key")
	gw := m.gatewayConfig(t)
	if got := lookup(gw, "service", "pipelines", "traces"); !reflect.DeepEqual(got, map[string]any{
		"receivers": []any{"kafka"}, "processors": []any{"memory_limiter", "agent_span"}, "exporters": []any{"langsmith"}}) {
		t.Fatalf("gateway pipeline: %v", got)
	}
	recv := lookup(gw, "receivers", "kafka")
	for path, want := range map[string]any{
		"group_id": "x-otelcol-langsmith-gateway", "initial_offset": "earliest", "message_marking.after": true,
		"message_marking.on_error": false, "traces.encoding": "otlp_proto",
		"partition_processing.independent": true, "partition_processing.max_in_flight.window": "cross_fetch",
		"partition_processing.max_in_flight.records": float64(4096),
	} {
		if got := lookup(recv, strings.Split(path, ".")...); got != want {
			t.Errorf("gateway receivers.kafka.%s = %v, want %v", path, got, want)
		}
	}
	// An offset is committed only once its runs were sent: agent_span waits
	// for the exporter, which waits for LangSmith; no queue on the pod's disk.
	if got := lookup(gw, "processors", "agent_span", "wait_for_delivery"); got != true {
		t.Errorf("gateway agent_span.wait_for_delivery = %v, want true", got)
	}
	queue := lookup(gw, "exporters", "langsmith", "sending_queue")
	if got := lookup(queue, "wait_for_result"); got != true || lookup(queue, "storage") != nil {
		t.Errorf("gateway sending_queue %v: want wait_for_result and no storage", queue)
	}
	if got := lookup(recv, "traces", "topics"); !reflect.DeepEqual(got, []any{"spans"}) {
		t.Errorf("gateway topics: %v", got)
	}
}

// Both rendered configs must be accepted by the binary, with each pod's env.
func TestScaleOutConfigsValidate(t *testing.T) {
	for name, args := range map[string][]string{
		"one broker":   append([]string{"--set", "langsmith.existingSecret=ls-key"}, kafkaArgs...),
		"ci values":    {"-f", chartDir + "/ci/kafka-values.yaml"},
		"no queue":     append([]string{"--set", "langsmith.existingSecret=ls-key", "--set", "persistence.enabled=false"}, kafkaArgs...),
		"with tenancy": append([]string{"--set", "langsmith.apiKey=k", "--set", "langsmith.projects[0].name=a", "--set", "langsmith.projects[0].apiKey=k"}, kafkaArgs...),
	} {
		t.Run(name, func(t *testing.T) {
			m := decodeRendered(t, render(t, args...))
			_, agentC := m.podSpec(t)
			if out, err := validateConfig(t, m.collectorConfig(t), agentC); err != nil {
				t.Fatalf("agent config: %v\n%s", err, out)
			}
			_, gwC := m.gatewayPod(t)
			if out, err := validateConfig(t, m.gatewayConfigMap.Data[configKey], gwC); err != nil {
				t.Fatalf("gateway config: %v\n%s", err, out)
			}
		})
	}
}

// The validation above means something: the binary refuses a bad gateway override.
func TestScaleOutGatewayOverrideReachesTheBinary(t *testing.T) {
	m := renderDecoded(t, append(kafkaArgs, "--set", "scaleOut.kafka.gateway.config.receivers.kafka.initial_offset=sometime")...)
	_, gwC := m.gatewayPod(t)
	if out, err := validateConfig(t, m.gatewayConfigMap.Data[configKey], gwC); err == nil {
		t.Fatalf("validate accepted initial_offset=sometime:\n%s", out)
	}
}

func TestScaleOutRefusesBrokenValues(t *testing.T) {
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"no brokers":           {[]string{"--set", "scaleOut.kafka.enabled=true"}, "scaleOut.kafka.brokers"},
		"mode deployment":      {append([]string{"--set", "mode=deployment", "--set", "persistence.type=emptyDir"}, kafkaArgs...), "needs mode daemonset"},
		"replicas > partition": {append([]string{"--set", "scaleOut.kafka.partitions=2", "--set", "scaleOut.kafka.gateway.replicas=3"}, kafkaArgs...), "above scaleOut.kafka.partitions"},
		"bad broker":           {[]string{"--set", "scaleOut.kafka.enabled=true", "--set", "scaleOut.kafka.brokers={kafka}"}, "brokers"},
	} {
		t.Run(name, func(t *testing.T) {
			out, err := helmResult(t, append([]string{"template", "x", chartDir, "--set", "langsmith.existingSecret=b"}, c.args...)...)
			if err == nil || !strings.Contains(string(out), c.want) {
				t.Fatalf("want a render error with %q, got %v:\n%s", c.want, err, out)
			}
		})
	}
}
