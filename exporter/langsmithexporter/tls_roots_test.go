package langsmithexporter

import (
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// rootsChildEnv marks the re-executed test binary that inspects its roots.
const rootsChildEnv = "LANGSMITHEXPORTER_ROOTS_CHILD"

// A process that finds no system roots (as in the scratch image) still gets
// Mozilla's roots from tls_roots.go. The system pool is loaded once per
// process, so the check runs in a child whose SSL_CERT_FILE and SSL_CERT_DIR
// point at nothing; without the fallback import its pool is empty.
func TestFallbackRootsWithoutSystemRoots(t *testing.T) {
	if os.Getenv(rootsChildEnv) == "1" {
		pool, err := x509.SystemCertPool()
		require.NoError(t, err)
		require.False(t, pool.Equal(x509.NewCertPool()), "no roots although the system has none: fallback roots are not linked")
		return
	}
	empty := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFallbackRootsWithoutSystemRoots$", "-test.count=1")
	cmd.Env = append(os.Environ(), rootsChildEnv+"=1",
		"SSL_CERT_FILE="+filepath.Join(empty, "missing.pem"), "SSL_CERT_DIR="+empty)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child process:\n%s", out)
	require.Contains(t, string(out), "PASS", "the child ran the check:\n%s", out)
}
