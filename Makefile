# otelcol-langsmith: build, test and demo entry points.
# Everything a target needs is installed by the target itself (Go modules from
# the module proxy, ocb and mdatagen into .tools/, Python packages into e2e/.venv).

SHELL        := /bin/bash
GO           ?= go
OCB_VERSION  := v0.165.0
TOOLS_DIR    := $(CURDIR)/.tools
OCB          := $(TOOLS_DIR)/builder
MDATAGEN     := $(TOOLS_DIR)/mdatagen
BIN_DIR      := $(CURDIR)/bin
OTELCOL      := $(BIN_DIR)/otelcol-langsmith
SINK         := $(BIN_DIR)/langsmith-sink
DIST_DIR     := cmd/otelcol-langsmith
VERSION      := $(shell sed -n 's/^  version: *//p' builder-config.yaml)
HELM_VERSION := v3.22.0
HELM         := $(TOOLS_DIR)/helm
KUBE_APISERVER := $(TOOLS_DIR)/kube-apiserver
KAFKA_LIBS   := $(TOOLS_DIR)/kafka/libs

.PHONY: all build sink ocb mdatagen helm kube-apiserver kafka etcd podman image helm-test generate check-generated test unit-test vet validate-examples e2e system-test scale-test demo bench clean

all: build

$(OCB):
	@mkdir -p $(TOOLS_DIR)
	GOBIN=$(TOOLS_DIR) CGO_ENABLED=0 $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

$(MDATAGEN):
	@mkdir -p $(TOOLS_DIR)
	cd tools && GOBIN=$(TOOLS_DIR) $(GO) install go.opentelemetry.io/collector/cmd/mdatagen

ocb: $(OCB)
mdatagen: $(MDATAGEN)

$(HELM):
	@mkdir -p $(TOOLS_DIR)
	GOBIN=$(TOOLS_DIR) CGO_ENABLED=0 $(GO) install -trimpath -ldflags="-s -w" helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

# kube-apiserver for the chart tests, built from the Go module proxy (several
# minutes cold; kept in .tools and rebuilt only when its module changes).
$(KUBE_APISERVER): tools/kube-apiserver/go.mod
	@mkdir -p $(TOOLS_DIR)
	cd tools/kube-apiserver && CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o $(KUBE_APISERVER) k8s.io/kubernetes/cmd/kube-apiserver

helm: $(HELM)
kube-apiserver: $(KUBE_APISERVER)

# Apache Kafka (KRaft) for make scale-test: kafka_2.13 and kafka-tools with
# their runtime jars from Maven Central (Java 17 and Maven needed), kept in
# .tools and fetched again only when tools/kafka/pom.xml changes.
$(KAFKA_LIBS)/.fetched: tools/kafka/pom.xml
	rm -rf $(KAFKA_LIBS)
	mvn -B -q -f tools/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$(KAFKA_LIBS)
	touch $@

kafka: $(KAFKA_LIBS)/.fetched

# Debian packages the chart tests run: etcd for the API server, podman and runc
# for the image. Installed only where missing.
etcd:
	@command -v etcd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server; }

podman:
	@command -v podman >/dev/null && command -v runc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc; }

# Regenerate the distribution's sources from builder-config.yaml, then compile.
build: $(OCB)
	$(OCB) --config builder-config.yaml --skip-compilation
	@mkdir -p $(BIN_DIR)
	cd $(DIST_DIR) && CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o $(OTELCOL) .
	@echo "built $(OTELCOL)"

# The LangSmith-compatible local sink used by the demo, e2e tests and benchmarks.
sink:
	@mkdir -p $(BIN_DIR)
	CGO_ENABLED=0 $(GO) build -trimpath -o $(SINK) ./internal/cmd/langsmith-sink

# Regenerate mdatagen outputs (status, telemetry, generated tests).
generate: $(MDATAGEN)
	PATH=$(TOOLS_DIR):$$PATH $(GO) generate ./exporter/... ./processor/...

# The committed ocb and mdatagen outputs must match their sources.
check-generated: build generate
	git diff --exit-code -- $(DIST_DIR) || { echo "cmd/otelcol-langsmith is stale: run make build and commit"; exit 1; }
	git diff --exit-code -- '*/internal/metadata/*' '*/internal/metadatatest/*' '*/generated_*_test.go' '*/documentation.md' \
		|| { echo "mdatagen output is stale: run make generate and commit"; exit 1; }

vet:
	$(GO) vet ./...

unit-test:
	$(GO) test -race -count=1 ./...

# Every example pipeline must be accepted by the real binary.
validate-examples: build
	@for f in examples/*.yaml; do \
		echo "validate $$f"; \
		LANGSMITH_API_KEY=validate-only LANGSMITH_API_KEY_RESEARCH=validate-only LANGSMITH_ENDPOINT=http://127.0.0.1:1 $(OTELCOL) validate --config $$f || exit 1; \
	done

# The test command of the README and of CI: Go tests first, then the real
# AutoGen end-to-end suite against the built binary.
test: vet unit-test check-generated validate-examples system-test scale-test helm-test e2e

e2e: build sink
	./e2e/run.sh

# Delivery guarantees against the built binary: a LangSmith outage longer than
# the queue holds, a SIGKILL in the middle of one, refused credentials fixed by
# a restart (internal/systemtest, loopback only, about a minute).
system-test: build
	$(GO) vet -tags systemtest ./internal/systemtest/
	OTELCOL_BIN=$(OTELCOL) $(GO) test -tags systemtest -count=1 -timeout 10m ./internal/systemtest/

# The Kafka tier past one node: a real single-node Kafka, two agents each
# given part of every trace, two gateway replicas of one consumer group; the
# runs must equal one collector's (internal/systemtest, tag scaletest).
scale-test: build kafka
	$(GO) vet -tags scaletest ./internal/systemtest/
	OTELCOL_BIN=$(OTELCOL) KAFKA_LIBS=$(KAFKA_LIBS) $(GO) test -tags scaletest -count=1 -timeout 10m ./internal/systemtest/

# Container image: the static binary for each platform, one multi-arch manifest
# (podman, rootful, runc). The version is builder-config.yaml's dist.version.
IMAGE_REPO ?= localhost/otelcol-langsmith
IMAGE      := $(IMAGE_REPO):$(VERSION)
PLATFORMS  ?= linux/amd64 linux/arm64

image: $(OCB) podman
	$(OCB) --config builder-config.yaml --skip-compilation
	IMAGE=$(IMAGE) PLATFORMS="$(PLATFORMS)" GO=$(GO) ./scripts/image.sh

# The chart: lint, rendered-manifest tests, strict decoding into k8s.io/api,
# helm install into a real kube-apiserver + etcd, and the pod run as rendered
# from the built image with podman.
helm-test: $(HELM) $(KUBE_APISERVER) etcd podman build sink image
	cd deploy/helmtest && HELM=$(HELM) KUBE_APISERVER=$(KUBE_APISERVER) ETCD="$$(command -v etcd)" \
		PODMAN="$$(command -v podman)" RUNC="$$(command -v runc)" OTELCOL_BIN=$(OTELCOL) SINK_BIN=$(SINK) IMAGE=$(IMAGE) \
		$(GO) test -count=1 -timeout 30m ./...

demo: build sink
	./scripts/demo.sh

# Go benchmarks, then the load test against the built binary; figures are
# printed as ratios to baselines measured in the same run.
bench: build sink
	./bench/run.sh
	./bench/load.sh

clean:
	rm -rf $(BIN_DIR) $(TOOLS_DIR)
