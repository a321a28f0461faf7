# Container image of the distribution, built by scripts/image.sh (make image)
# for each platform from binaries it cross-compiled into bin/linux_<arch>/.
# FROM scratch only, so building needs no registry. There is no CA bundle:
# the collector carries Mozilla's roots as a fallback (exporter/langsmithexporter/tls_roots.go).
# There is no baked config either: the Helm chart mounts one and passes --config.
FROM scratch
ARG TARGETARCH
COPY --chmod=755 bin/linux_${TARGETARCH}/otelcol-langsmith /otelcol-langsmith
# Readies the hostPath queue directory in the chart's init container.
COPY --chmod=755 bin/linux_${TARGETARCH}/prepare-queue-dir /prepare-queue-dir
USER 10001:10001
# OTLP gRPC, OTLP HTTP, health_check, the collector's own metrics.
EXPOSE 4317 4318 13133 8888
ENTRYPOINT ["/otelcol-langsmith"]
