// Command prepare-queue-dir readies the persistent queue directory for the
// collector. The Helm chart runs it as an init container (root, with only
// CAP_CHOWN and CAP_FOWNER) on the node's hostPath, which the kubelet creates
// owned by root; the collector itself runs as a non-root user and could not
// write there otherwise. It creates the directory, hands it to -uid:-gid and
// makes it private (0700). The image is FROM scratch, so this is a static Go
// program rather than a shell one-liner.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// queueDirMode keeps queued runs (prompts, completions) private to the collector.
const queueDirMode os.FileMode = 0o700

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses flags, prepares the directory and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prepare-queue-dir", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "queue directory to create (absolute path)")
	uid := fs.Int("uid", -1, "owner user id")
	gid := fs.Int("gid", -1, "owner group id")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *dir == "" || !filepath.IsAbs(*dir) || *uid < 0 || *gid < 0 {
		fmt.Fprintln(stderr, "prepare-queue-dir: usage: prepare-queue-dir -dir <absolute path> -uid <uid> -gid <gid>")
		return 2
	}
	if err := prepare(filepath.Clean(*dir), *uid, *gid); err != nil {
		fmt.Fprintf(stderr, "prepare-queue-dir: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "prepare-queue-dir: %s ready for %d:%d, mode %#o\n", *dir, *uid, *gid, queueDirMode)
	return 0
}

// prepare creates dir and sets its owner and mode. It refuses a symlink or a
// file at dir: following one on a host path would hand another directory of
// the node to the collector's user.
func prepare(dir string, uid, gid int) error {
	if err := os.MkdirAll(dir, queueDirMode); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("inspect %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory (%s)", dir, fi.Mode().Type())
	}
	if err := os.Lchown(dir, uid, gid); err != nil {
		return fmt.Errorf("chown %s to %d:%d (needs CAP_CHOWN): %w", dir, uid, gid, err)
	}
	if err := os.Chmod(dir, queueDirMode); err != nil {
		return fmt.Errorf("chmod %s to %#o (needs CAP_FOWNER): %w", dir, queueDirMode, err)
	}
	return nil
}
