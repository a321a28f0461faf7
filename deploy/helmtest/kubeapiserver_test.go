package helmtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// controlPlane is an etcd and a kube-apiserver on loopback, started by a test
// and stopped with it: a real API server with its real validation and storage,
// but no kubelet or controllers, so nothing the chart installs ever runs.
type controlPlane struct {
	URL        string // https://127.0.0.1:<port>
	Token      string // bearer token of a system:masters user
	Kubeconfig string // kubeconfig helm uses to reach URL with Token
	client     *http.Client

	mu        sync.Mutex
	discovery map[string][]apiResource // by apiVersion, see kubeapi_test.go
}

const (
	// maxControlPlaneLife bounds the processes when the test has no deadline.
	maxControlPlaneLife = 20 * time.Minute
	// readyTimeout bounds the wait for /readyz; a cold start on a busy
	// two-core machine takes some seconds.
	readyTimeout = 120 * time.Second
)

// startControlPlane starts etcd and kube-apiserver (make helm-test passes both
// through ETCD and KUBE_APISERVER) and returns once /readyz answers ok. Both
// processes are stopped in t.Cleanup and, at the latest, killed at the test's
// deadline, or when the test binary dies (see procattr_linux_test.go).
func startControlPlane(t *testing.T) *controlPlane {
	t.Helper()
	etcdBin, apiserverBin := tool(t, "ETCD"), tool(t, "KUBE_APISERVER")
	start := time.Now()

	life := maxControlPlaneLife
	if d, ok := t.Deadline(); ok && time.Until(d) < life {
		life = time.Until(d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), life)
	t.Cleanup(cancel)
	dir := t.TempDir()

	etcdURL := startEtcd(t, ctx, etcdBin, filepath.Join(dir, "etcd"))
	cp := startAPIServer(t, ctx, apiserverBin, filepath.Join(dir, "apiserver"), etcdURL)
	t.Logf("control plane ready at %s in %s", cp.URL, time.Since(start).Round(time.Millisecond))
	return cp
}

// startEtcd runs a single-member etcd with its data in dir and returns its
// client URL once /health reports healthy.
func startEtcd(t *testing.T, ctx context.Context, bin, dir string) string {
	t.Helper()
	client, peer := "http://"+loopbackAddr(t), "http://"+loopbackAddr(t)
	p := startCPProcess(t, ctx, "etcd", bin, dir,
		"--name=helmtest",
		"--data-dir="+filepath.Join(dir, "data"),
		"--listen-client-urls="+client,
		"--advertise-client-urls="+client,
		"--listen-peer-urls="+peer,
		"--initial-advertise-peer-urls="+peer,
		"--initial-cluster=helmtest="+peer,
		"--initial-cluster-state=new",
		"--logger=zap",
	)
	probe := &http.Client{Timeout: 5 * time.Second}
	p.waitFor(t, 30*time.Second, func() bool {
		resp, err := probe.Get(client + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return client
}

// startAPIServer runs kube-apiserver against etcdURL with a token file granting
// a fresh token system:masters and RBAC on, writes a kubeconfig for it and
// waits for /readyz.
func startAPIServer(t *testing.T, ctx context.Context, bin, dir, etcdURL string) *controlPlane {
	t.Helper()
	certDir := filepath.Join(dir, "certs")
	saKey, saPub := writeServiceAccountKeys(t, dir)
	token := randomToken(t)
	tokens := filepath.Join(dir, "tokens.csv")
	// token,user,uid,"groups": system:masters passes every RBAC check.
	writePrivateFile(t, tokens, token+`,helmtest-admin,helmtest-admin,"system:masters"`+"\n")
	addr := loopbackAddr(t)
	_, port, _ := net.SplitHostPort(addr)

	p := startCPProcess(t, ctx, "kube-apiserver", bin, dir,
		"--etcd-servers="+etcdURL,
		"--storage-backend=etcd3",
		"--etcd-prefix=/registry",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+saPub,
		"--service-account-signing-key-file="+saKey,
		"--token-auth-file="+tokens,
		"--authorization-mode=RBAC",
		"--secure-port="+port,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--cert-dir="+certDir,
		"--service-cluster-ip-range=10.96.0.0/16",
		// No controller manager or kubelet runs; the kubernetes Service's
		// endpoints would name a loopback address, which validation refuses.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
	)

	cp := &controlPlane{URL: "https://" + addr, Token: token, discovery: map[string][]apiResource{}}
	// kube-apiserver writes its self-signed serving certificate (and its CA)
	// to cert-dir before serving: trust exactly that instead of skipping
	// verification.
	caFile := filepath.Join(certDir, "apiserver.crt")
	p.waitFor(t, readyTimeout, func() bool {
		if cp.client == nil {
			pool := x509.NewCertPool()
			pemBytes, err := os.ReadFile(caFile)
			if err != nil || !pool.AppendCertsFromPEM(pemBytes) {
				return false
			}
			cp.client = &http.Client{
				Timeout:   30 * time.Second,
				Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
			}
		}
		status, body, err := cp.do(http.MethodGet, "/readyz", nil)
		return err == nil && status == http.StatusOK && string(body) == "ok"
	})
	cp.Kubeconfig = filepath.Join(dir, "kubeconfig")
	writePrivateFile(t, cp.Kubeconfig, fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: helmtest
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: helmtest
  user:
    token: %s
contexts:
- name: helmtest
  context:
    cluster: helmtest
    user: helmtest
current-context: helmtest
`, cp.URL, caFile, token))
	return cp
}

// cpProcess is a started control plane process whose output goes to a log file.
type cpProcess struct {
	name string
	log  string
	done chan struct{}
	err  error // set before done is closed
}

// startCPProcess starts bin with args in dir, its output in dir/<name>.log. It
// receives SIGTERM when the test ends (SIGKILL 10 s later) or ctx expires.
func startCPProcess(t *testing.T, ctx context.Context, name, bin, dir string, args ...string) *cpProcess {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := &cpProcess{name: name, log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	logFile, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childProcAttr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		stop()
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		stop()
		<-p.done
	})
	return p
}

// waitFor polls ready until it holds, failing the test with the process's log
// if the process exits or timeout passes first.
func (p *cpProcess) waitFor(t *testing.T, timeout time.Duration, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ready() {
		select {
		case <-p.done:
			t.Fatalf("%s exited before it was ready: %v\n%s", p.name, p.err, p.tail())
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %s\n%s", p.name, timeout, p.tail())
		}
	}
}

// tail is the end of the process's log, enough to see why it failed.
func (p *cpProcess) tail() string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	const max = 16 << 10
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// writeServiceAccountKeys writes the RSA key pair kube-apiserver signs and
// verifies service account tokens with, returning the private and public key
// file paths.
func writeServiceAccountKeys(t *testing.T, dir string) (private, public string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	private, public = filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub")
	writePrivateFile(t, private, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	writePrivateFile(t, public, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})))
	return private, public
}

func randomToken(t *testing.T) string {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// writePrivateFile writes a private file (helm warns about readable kubeconfigs).
func writePrivateFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// loopbackAddr returns a 127.0.0.1 address with a port free at the time of the call.
func loopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
