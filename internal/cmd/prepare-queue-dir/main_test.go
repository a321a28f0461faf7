package main

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// owner returns the uid and gid of path.
func owner(t *testing.T, path string) (int, int) {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test chowns to another user and must run as root (as in the chart's init container)")
	}
}

func TestCreatesNestedDirOwnedAndPrivate(t *testing.T) {
	requireRoot(t)
	dir := filepath.Join(t.TempDir(), "var", "lib", "queue")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-dir", dir, "-uid", "10001", "-gid", "10002"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, fi.IsDir())
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	uid, gid := owner(t, dir)
	assert.Equal(t, []int{10001, 10002}, []int{uid, gid})
	assert.Equal(t, "prepare-queue-dir: "+dir+" ready for 10001:10002, mode 0700\n", stdout.String())
	assert.Empty(t, stderr.String())
}

// The kubelet creates a hostPath as root with mode 0755: an existing
// directory is taken over, and its contents (the queue) are left alone.
func TestTakesOverExistingDir(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "queue-file"), []byte("x"), 0o600))
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-dir", dir, "-uid", "10001", "-gid", "10001"}, &stdout, &stderr), stderr.String())
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	uid, gid := owner(t, dir)
	assert.Equal(t, []int{10001, 10001}, []int{uid, gid})
	b, err := os.ReadFile(filepath.Join(dir, "queue-file"))
	require.NoError(t, err)
	assert.Equal(t, "x", string(b))
	// Running again (every pod start) is harmless.
	require.Equal(t, 0, run([]string{"-dir", dir, "-uid", "10001", "-gid", "10001"}, &stdout, &stderr), stderr.String())
}

func TestRefusesSymlinkAndFile(t *testing.T) {
	requireRoot(t)
	base := t.TempDir()
	target := filepath.Join(base, "elsewhere")
	require.NoError(t, os.Mkdir(target, 0o755))
	link := filepath.Join(base, "link")
	require.NoError(t, os.Symlink(target, link))
	file := filepath.Join(base, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))

	for _, dir := range []string{link, file} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 1, run([]string{"-dir", dir, "-uid", "10001", "-gid", "10001"}, &stdout, &stderr), dir)
		assert.Contains(t, stderr.String(), "prepare-queue-dir: ")
		assert.Empty(t, stdout.String())
	}
	uid, _ := owner(t, target)
	assert.Equal(t, 0, uid, "the symlink's target was not handed over")
}

func TestRejectsBadFlags(t *testing.T) {
	for name, args := range map[string][]string{
		"no dir":        {"-uid", "1", "-gid", "1"},
		"relative dir":  {"-dir", "queue", "-uid", "1", "-gid", "1"},
		"no uid":        {"-dir", "/q", "-gid", "1"},
		"no gid":        {"-dir", "/q", "-uid", "1"},
		"extra arg":     {"-dir", "/q", "-uid", "1", "-gid", "1", "more"},
		"unknown flag":  {"-dir", "/q", "-uid", "1", "-gid", "1", "-mode", "0777"},
		"uid not a num": {"-dir", "/q", "-uid", "x", "-gid", "1"},
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, 2, run(args, &stdout, &stderr))
			assert.NotEmpty(t, stderr.String())
			assert.Empty(t, stdout.String())
		})
	}
}

// A directory that cannot be created (here: below a file) is reported with
// what failed, and the exit code is 1 so the pod does not start.
func TestReportsCreateError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run([]string{"-dir", filepath.Join(file, "q"), "-uid", "1", "-gid", "1"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "prepare-queue-dir: create ")
}
