package helmtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// podmanTimeout bounds every podman call; none should take long with the
// image already built and nothing to pull.
const podmanTimeout = 2 * time.Minute

// podmanCLI runs rootful podman with runc and cgroupfs: crun and the systemd
// cgroup manager do not work on every kernel and host (scripts/image.sh does
// the same).
type podmanCLI struct {
	bin, runc string
}

func newPodman(t *testing.T) podmanCLI {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("the pod run needs rootful podman: run as root")
	}
	return podmanCLI{bin: tool(t, "PODMAN"), runc: tool(t, "RUNC")}
}

func (p podmanCLI) command(ctx context.Context, args ...string) *exec.Cmd {
	global := []string{"--runtime", p.runc, "--cgroup-manager", "cgroupfs"}
	return exec.CommandContext(ctx, p.bin, append(global, args...)...)
}

// run runs podman and returns its trimmed standard output; a failure fails the test.
func (p podmanCLI) run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := p.result(args...)
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// result runs podman and returns its output (standard error appended on failure).
func (p podmanCLI) result(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), podmanTimeout)
	defer cancel()
	cmd := p.command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return strings.TrimSpace(stdout.String() + "\n" + stderr.String()), err
	}
	return strings.TrimSpace(stdout.String()), nil
}

// localImage is make image's per-arch tag of $IMAGE for this machine: the
// manifest list itself would make podman resolve (and maybe pull) a platform.
func localImage(t *testing.T, p podmanCLI) string {
	t.Helper()
	image := tool(t, "IMAGE") + "-" + runtime.GOARCH
	if _, err := p.result("image", "exists", image); err != nil {
		t.Fatalf("image %s does not exist: run make image", image)
	}
	return image
}

// logs returns a container's last output lines; podman logs replays the
// container's stderr on its own stderr, so both streams are kept.
func (p podmanCLI) logs(name string, lines int) string {
	ctx, cancel := context.WithTimeout(context.Background(), podmanTimeout)
	defer cancel()
	out, err := p.command(ctx, "logs", "--tail", strconv.Itoa(lines), name).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%s\n(podman logs: %v)", out, err)
	}
	return string(out)
}

// removeContainer removes a container whatever its state, for t.Cleanup.
func (p podmanCLI) removeContainer(t *testing.T, name string) {
	t.Helper()
	if out, err := p.result("rm", "--force", "--ignore", "--time", "0", name); err != nil {
		t.Errorf("podman rm -f %s: %v\n%s", name, err, out)
	}
}
