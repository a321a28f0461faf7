// Package helmtest tests the Helm chart in deploy/helm/otelcol-langsmith: its
// rendered manifests, their strict decoding into the Kubernetes API types, its
// installation into a real kube-apiserver and the pod run as rendered from the
// built image. It is its own module so the collector's module stays free of
// Kubernetes dependencies; make helm-test runs it with the tools it needs.
package helmtest
