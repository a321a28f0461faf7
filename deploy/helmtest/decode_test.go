package helmtest

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// decodedManifests holds one rendering's objects as Kubernetes API types. The
// chart renders at most one object of each kind.
type decodedManifests struct {
	daemonSet      *appsv1.DaemonSet
	deployment     *appsv1.Deployment
	configMap      *corev1.ConfigMap
	secret         *corev1.Secret
	service        *corev1.Service
	serviceAccount *corev1.ServiceAccount
	// podMonitor has no type here: its metadata is checked strictly, its spec
	// is kept as decoded.
	podMonitor map[string]any
	// The gateway tier of scaleOut.kafka, told apart by its name's suffix.
	gatewayDeployment *appsv1.Deployment
	gatewayConfigMap  *corev1.ConfigMap
}

// gatewaySuffix ends the names of the scaleOut.kafka gateway's objects.
const gatewaySuffix = "-gateway"

// decodeStrict decodes YAML into a typed object, refusing unknown fields,
// duplicate keys and wrong types as the API server's strict validation would.
func decodeStrict(doc []byte, into any) error {
	return yaml.UnmarshalStrict(doc, into)
}

// decodeRendered strictly decodes every document of a rendering into its
// API type, failing the test on an unexpected kind or any decoding error.
func decodeRendered(t *testing.T, rendered []byte) decodedManifests {
	t.Helper()
	var m decodedManifests
	for _, doc := range splitDocuments(rendered) {
		var head struct {
			metav1.TypeMeta `json:",inline"`
			Metadata        struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatalf("not YAML: %v\n%s", err, doc)
		}
		gateway := strings.HasSuffix(head.Metadata.Name, gatewaySuffix)
		var err error
		switch head.APIVersion + "/" + head.Kind {
		case "apps/v1/Deployment", "v1/ConfigMap":
			if gateway && head.Kind == "Deployment" {
				err = decodeInto(doc, &m.gatewayDeployment)
			} else if gateway {
				err = decodeInto(doc, &m.gatewayConfigMap)
			} else if head.Kind == "Deployment" {
				err = decodeInto(doc, &m.deployment)
			} else {
				err = decodeInto(doc, &m.configMap)
			}
		case "apps/v1/DaemonSet":
			err = decodeInto(doc, &m.daemonSet)
		case "v1/Secret":
			err = decodeInto(doc, &m.secret)
		case "v1/Service":
			err = decodeInto(doc, &m.service)
		case "v1/ServiceAccount":
			err = decodeInto(doc, &m.serviceAccount)
		case "monitoring.coreos.com/v1/PodMonitor":
			m.podMonitor, err = decodePodMonitor(doc)
		default:
			err = fmt.Errorf("unexpected object %s/%s", head.APIVersion, head.Kind)
		}
		if err != nil {
			t.Fatalf("%s: %v\n%s", head.Kind, err, doc)
		}
	}
	return m
}

// decodeInto allocates *slot and decodes doc into it; a second object of the
// same kind is an error.
func decodeInto[T any](doc []byte, slot **T) error {
	if *slot != nil {
		return fmt.Errorf("rendered twice")
	}
	*slot = new(T)
	return decodeStrict(doc, *slot)
}

func decodePodMonitor(doc []byte) (map[string]any, error) {
	var pm struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        metav1.ObjectMeta `json:"metadata"`
		Spec            map[string]any    `json:"spec"`
	}
	if err := decodeStrict(doc, &pm); err != nil {
		return nil, err
	}
	if pm.Metadata.Name == "" || len(pm.Spec) == 0 {
		return nil, fmt.Errorf("PodMonitor without name or spec")
	}
	return pm.Spec, nil
}

// podSpec is the pod template of whichever workload the mode renders.
func (m decodedManifests) podSpec(t *testing.T) (corev1.PodTemplateSpec, *corev1.Container) {
	t.Helper()
	var tmpl corev1.PodTemplateSpec
	switch {
	case m.daemonSet != nil && m.deployment == nil:
		tmpl = m.daemonSet.Spec.Template
	case m.deployment != nil && m.daemonSet == nil:
		tmpl = m.deployment.Spec.Template
	default:
		t.Fatalf("want exactly one DaemonSet or Deployment")
	}
	for i := range tmpl.Spec.Containers {
		if tmpl.Spec.Containers[i].Name == "otelcol-langsmith" {
			return tmpl, &tmpl.Spec.Containers[i]
		}
	}
	t.Fatalf("no otelcol-langsmith container in %+v", tmpl.Spec.Containers)
	return tmpl, nil
}

func TestRenderedManifestsDecodeStrictly(t *testing.T) {
	for name, args := range valueSets(t) {
		t.Run(name, func(t *testing.T) {
			m := decodeRendered(t, render(t, args...))
			m.podSpec(t)
			if m.configMap == nil || m.serviceAccount == nil {
				t.Fatalf("missing ConfigMap or ServiceAccount")
			}
		})
	}
}

// The decoder is only worth its name if it refuses what the API server would.
func TestStrictDecoderRejectsDoctoredManifests(t *testing.T) {
	doc := string(render(t, "--set", "langsmith.existingSecret=ls-key", "--show-only", "templates/daemonset.yaml"))
	var ds appsv1.DaemonSet
	if err := decodeStrict([]byte(doc), &ds); err != nil {
		t.Fatalf("the rendered DaemonSet must decode: %v", err)
	}
	for name, c := range map[string]struct {
		old, new, want string
	}{
		"unknown field": {"      containers:", "      hostNetwrk: true\n      containers:", `unknown field "hostNetwrk"`},
		"wrong type":    {"containerPort: 4317", "containerPort: otlp", "cannot unmarshal string"},
		"duplicate key": {"      containers:", "      priorityClassName: a\n      priorityClassName: b\n      containers:", "already set"},
	} {
		t.Run(name, func(t *testing.T) {
			doctored := strings.Replace(doc, c.old, c.new, 1)
			if doctored == doc {
				t.Fatalf("doctoring did not change the manifest")
			}
			err := decodeStrict([]byte(doctored), new(appsv1.DaemonSet))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("strict decoding of a manifest with a %s: got %v, want an error with %q", name, err, c.want)
			}
		})
	}
}
