//go:build scaletest

package systemtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/collectortest"
)

// kafkaBroker is a single-node Apache Kafka in KRaft mode (broker and
// controller in one JVM) on loopback ports, its log in a temp dir.
type kafkaBroker struct {
	t         *testing.T
	cmd       *exec.Cmd
	addr      string // the client listener, host:port
	propsPath string
	logPath   string
	exited    chan struct{}
}

// kafkaLibs is the folder of the broker's jars (make kafka fetches them).
func kafkaLibs(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KAFKA_LIBS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".tools", "kafka", "libs")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if jars, _ := filepath.Glob(filepath.Join(abs, "kafka_2.13-*.jar")); len(jars) == 0 {
		t.Fatalf("no Kafka jars in %s (run make kafka, or set KAFKA_LIBS)", abs)
	}
	return abs
}

// startKafka formats a fresh KRaft log dir and starts the broker; the JVM is
// killed when the test ends.
func startKafka(t *testing.T) *kafkaBroker {
	t.Helper()
	dir := t.TempDir()
	port, ctrl := collectortest.FreePort(t), collectortest.FreePort(t)
	addr := collectortest.Endpoint(port)
	props := strings.Join([]string{
		"process.roles=broker,controller",
		"node.id=1",
		fmt.Sprintf("listeners=PLAINTEXT://%s,CONTROLLER://%s", addr, collectortest.Endpoint(ctrl)),
		"advertised.listeners=PLAINTEXT://" + addr,
		"controller.listener.names=CONTROLLER",
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
		"controller.quorum.bootstrap.servers=" + collectortest.Endpoint(ctrl),
		"log.dirs=" + filepath.Join(dir, "data"),
		// Topics are created by the test, with the partitions it needs.
		"auto.create.topics.enable=false",
		"offsets.topic.replication.factor=1",
		"offsets.topic.num.partitions=1",
		"transaction.state.log.replication.factor=1",
		"transaction.state.log.min.isr=1",
		// Gateways join at once instead of after the default 3 s.
		"group.initial.rebalance.delay.ms=0",
	}, "\n") + "\n"
	propsPath := filepath.Join(dir, "server.properties")
	if err := os.WriteFile(propsPath, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(kafkaLibs(t), "*")
	start := time.Now()
	format := exec.Command("java", "-cp", cp, "kafka.tools.StorageTool", "format", "--standalone",
		"--cluster-id", "q1Sh-9_ISia_zwGINzRvyQ", "--config", propsPath)
	if out, err := format.CombinedOutput(); err != nil {
		t.Fatalf("kafka storage format: %v\n%s", err, out)
	}
	b := &kafkaBroker{t: t, addr: addr, propsPath: propsPath, logPath: filepath.Join(dir, "broker.log")}
	t.Cleanup(func() {
		b.kill()
		if t.Failed() {
			out, _ := os.ReadFile(b.logPath)
			t.Logf("kafka log (tail):\n%s", tail(string(out), 40))
		}
	})
	b.launch(t)
	t.Logf("kafka %s: formatted and listening after %s", addr, time.Since(start).Round(100*time.Millisecond))
	return b
}

// launch starts the broker JVM on its log dir and waits until it listens.
func (b *kafkaBroker) launch(t *testing.T) {
	t.Helper()
	b.exited = make(chan struct{})
	logFile, err := os.OpenFile(b.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	// A small heap: one node, a few MB of spans.
	b.cmd = exec.Command("java", "-Xms256m", "-Xmx512m", "-cp", filepath.Join(kafkaLibs(t), "*"), "kafka.Kafka", b.propsPath)
	b.cmd.Stdout, b.cmd.Stderr = logFile, logFile
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := b.exited
	go func() {
		_ = b.cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !b.listening() {
		select {
		case <-b.exited:
			out, _ := os.ReadFile(b.logPath)
			t.Fatalf("kafka exited while starting:\n%s", out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("kafka not listening within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// restart starts a killed broker again on the same log dir.
func (b *kafkaBroker) restart(t *testing.T) {
	t.Helper()
	start := time.Now()
	b.launch(t)
	t.Logf("kafka restarted, listening after %s", time.Since(start).Round(100*time.Millisecond))
}

// createTopic creates a topic with Kafka's own kafka-topics tool.
func (b *kafkaBroker) createTopic(t *testing.T, topic string, partitions int) {
	t.Helper()
	cmd := exec.Command("java", "-cp", filepath.Join(kafkaLibs(t), "*"), "org.apache.kafka.tools.TopicCommand",
		"--bootstrap-server", b.addr, "--create", "--topic", topic,
		"--partitions", fmt.Sprint(partitions), "--replication-factor", "1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kafka-topics --create %s: %v\n%s", topic, err, out)
	}
}

func (b *kafkaBroker) listening() bool {
	c, err := net.DialTimeout("tcp", b.addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// kill sends SIGKILL and waits for the JVM to be gone.
func (b *kafkaBroker) kill() {
	if b.exited == nil {
		return
	}
	select {
	case <-b.exited:
		return
	default:
	}
	_ = b.cmd.Process.Signal(syscall.SIGKILL)
	<-b.exited
}

// logContains reports whether the collector's log has a line with every part.
func logContains(c *collectorProcess, parts ...string) bool {
	for _, line := range bytes.Split([]byte(c.log()), []byte("\n")) {
		all := true
		for _, p := range parts {
			all = all && bytes.Contains(line, []byte(p))
		}
		if all {
			return true
		}
	}
	return false
}
