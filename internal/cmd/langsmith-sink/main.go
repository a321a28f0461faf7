// Command langsmith-sink runs the LangSmith-compatible test server (package langsmithtest) as a
// process, for the demo, the Python e2e tests and benchmarks. It listens on loopback only, serves
// the LangSmith ingestion API plus the /_test/ control endpoints, and exits by itself after
// -max-duration or on SIGINT/SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// run parses flags, serves until ctx ends or the lifetime is over, and returns the exit code.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("langsmith-sink", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", langsmithtest.DefaultAddr, "listen address (loopback only)")
	addrFile := fs.String("addr-file", "", "write the base URL (http://host:port) to this file once listening")
	apiKey := fs.String("api-key", "", "required x-api-key (empty: any non-empty key)")
	orgKeys := fs.String("org-scoped-keys", "", "comma-separated keys that require X-Tenant-Id")
	maxDuration := fs.Duration("max-duration", 15*time.Minute, "exit 0 after this long")
	quiet := fs.Bool("quiet", false, "do not log requests")
	multipartDisabled := fs.Bool("multipart-disabled", false, "answer 404 on /runs/multipart like an old self-hosted server")
	sizeLimit := fs.Int("size-limit", langsmithtest.DefaultSizeLimit, "/info batch_ingest_config.size_limit")
	sizeLimitBytes := fs.Int64("size-limit-bytes", langsmithtest.DefaultSizeLimitBytes, "/info batch_ingest_config.size_limit_bytes")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	logger := log.New(stderr, "langsmith-sink: ", log.LstdFlags|log.Lmicroseconds)
	if *maxDuration <= 0 {
		logger.Print("-max-duration must be positive")
		return 2
	}
	info := langsmithtest.DefaultInfo()
	info.BatchIngestConfig.SizeLimit = *sizeLimit
	info.BatchIngestConfig.SizeLimitBytes = *sizeLimitBytes
	opts := langsmithtest.Options{
		Addr: *addr, APIKey: *apiKey, Info: info, MultipartDisabled: *multipartDisabled,
		MaxLifetime: *maxDuration, Control: true,
	}
	if *orgKeys != "" {
		opts.OrgScopedKeys = strings.Split(*orgKeys, ",")
	}
	if !*quiet {
		opts.Logf = logger.Printf
	}
	srv, err := langsmithtest.Start(opts)
	if err != nil {
		logger.Print(err)
		return 2
	}
	defer srv.Close()
	if *addrFile != "" {
		if err := writeFileAtomic(*addrFile, srv.URL()+"\n"); err != nil {
			logger.Printf("writing -addr-file: %v", err)
			return 1
		}
	}
	logger.Printf("listening on %s (stops after %s)", srv.URL(), *maxDuration)
	select {
	case <-ctx.Done():
		logger.Print("signal received, stopping")
	case <-srv.Done():
		logger.Print("max duration reached, stopping")
	}
	return 0
}

// writeFileAtomic renames a finished temp file into place so readers never see a partial URL.
func writeFileAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".addr-*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(content)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	return os.Rename(tmp.Name(), path)
}
