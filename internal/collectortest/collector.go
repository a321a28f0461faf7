// Package collectortest runs the distribution's real collector pipeline in
// process, from a YAML configuration, for integration tests: the same
// receivers, processors, exporters and extensions as the otelcol-langsmith
// binary, wired by the collector's own config and service code.
package collectortest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"
)

// Factories returns the components the tests wire together.
func Factories() (otelcol.Factories, error) {
	var err error
	f := otelcol.Factories{Telemetry: otelconftelemetry.NewFactory()}
	if f.Receivers, err = otelcol.MakeFactoryMap[receiver.Factory](otlpreceiver.NewFactory()); err != nil {
		return f, err
	}
	if f.Processors, err = otelcol.MakeFactoryMap[processor.Factory](agentspanprocessor.NewFactory()); err != nil {
		return f, err
	}
	if f.Exporters, err = otelcol.MakeFactoryMap[exporter.Factory](langsmithexporter.NewFactory()); err != nil {
		return f, err
	}
	if f.Extensions, err = otelcol.MakeFactoryMap[extension.Factory](filestorage.NewFactory()); err != nil {
		return f, err
	}
	return f, nil
}

// Collector is a running in-process collector.
type Collector struct {
	col  *otelcol.Collector
	done chan error
}

// Start runs a collector with the given YAML configuration until the test
// ends (or Shutdown is called), and waits until its pipelines are running.
func Start(tb testing.TB, yamlConfig string) *Collector {
	tb.Helper()
	col, err := otelcol.NewCollector(otelcol.CollectorSettings{
		BuildInfo: component.NewDefaultBuildInfo(),
		Factories: Factories,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				URIs: []string{"yaml:" + yamlConfig},
				ProviderFactories: []confmap.ProviderFactory{
					envprovider.NewFactory(), fileprovider.NewFactory(), yamlprovider.NewFactory(),
				},
			},
		},
	})
	if err != nil {
		tb.Fatalf("new collector: %v", err)
	}
	c := &Collector{col: col, done: make(chan error, 1)}
	go func() { c.done <- col.Run(context.Background()) }()
	deadline := time.Now().Add(20 * time.Second)
	for col.GetState() != otelcol.StateRunning {
		select {
		case err := <-c.done:
			tb.Fatalf("collector stopped while starting: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("collector did not start within 20s (state %v)", col.GetState())
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Cleanup(c.Shutdown)
	return c
}

// Shutdown stops the collector and waits for it; safe to call twice.
func (c *Collector) Shutdown() {
	if c.col == nil {
		return
	}
	c.col.Shutdown()
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
	}
	c.col = nil
}

// FreePort returns a loopback port that was free a moment ago, below the
// ephemeral range (32768 and up on Linux): a port the kernel handed out for
// the check could go to any outgoing connection's source before the test's
// server binds it. A process never gets the same port twice.
func FreePort(tb testing.TB) int {
	tb.Helper()
	for range 1000 {
		port := 20000 + rand.IntN(12000)
		if _, taken := handedOut.LoadOrStore(port, true); taken {
			continue
		}
		l, err := net.Listen("tcp", Endpoint(port))
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	tb.Fatal("free port: none found in 20000-31999")
	return 0
}

// handedOut are the ports FreePort returned in this process.
var handedOut sync.Map

// Endpoint formats a loopback address for a port.
func Endpoint(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }
