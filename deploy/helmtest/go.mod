module github.com/otelcol-langsmith/otelcol-langsmith/deploy/helmtest

go 1.26.0
