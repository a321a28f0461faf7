# Container image of the distribution. Build the binary first (make build);
# the image only packages it, as the upstream releases do.
FROM alpine:3.20 AS certs
RUN apk --no-cache add ca-certificates

FROM scratch
USER 10001:10001
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --chmod=755 bin/otelcol-langsmith /otelcol-langsmith
COPY examples/minimal.yaml /etc/otelcol-langsmith/config.yaml
ENTRYPOINT ["/otelcol-langsmith"]
CMD ["--config", "/etc/otelcol-langsmith/config.yaml"]
EXPOSE 4317 4318 13133
