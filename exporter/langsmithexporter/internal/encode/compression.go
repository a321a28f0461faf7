package encode

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Content-Encoding values LangSmith accepts on a whole request body.
const (
	EncodingNone = ""
	EncodingZstd = "zstd"
	EncodingGzip = "gzip"
)

// zstdWindow bounds the zstd encoder's history: it keeps about twice this
// per concurrent encoder (GOMAXPROCS of them).
const zstdWindow = 1 << 20

// Compressor compresses request bodies. It is safe for concurrent use: the
// zstd encoder's EncodeAll may run concurrently, and gzip writers are pooled.
type Compressor struct {
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdErr  error
	gzipPool sync.Pool
}

// NewCompressor returns a compressor; the zstd encoder is built on first use.
func NewCompressor() *Compressor {
	return &Compressor{}
}

// Compress returns body encoded with encoding; EncodingNone returns body.
func (c *Compressor) Compress(encoding string, body []byte) ([]byte, error) {
	switch encoding {
	case EncodingNone:
		return body, nil
	case EncodingZstd:
		enc, err := c.zstd()
		if err != nil {
			return nil, err
		}
		return enc.EncodeAll(body, make([]byte, 0, len(body)/4+64)), nil
	case EncodingGzip:
		var buf bytes.Buffer
		buf.Grow(len(body)/4 + 64)
		zw, _ := c.gzipPool.Get().(*gzip.Writer)
		if zw == nil {
			// BestSpeed, like the SDK's zstd level 1: the CPU of a node agent
			// matters more than the last few percent of ratio.
			zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		} else {
			zw.Reset(&buf)
		}
		defer c.gzipPool.Put(zw)
		if _, err := zw.Write(body); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return buf.Bytes(), nil
	default:
		return nil, fmt.Errorf("unsupported content encoding %q", encoding)
	}
}

// zstd builds the shared encoder on first use, so that exporters configured
// without zstd never allocate its window buffers.
func (c *Compressor) zstd() (*zstd.Encoder, error) {
	c.zstdOnce.Do(func() {
		// SpeedFastest matches the SDK's default level 1. The default 8 MiB
		// window costs every encoder a 16 MiB history buffer for bodies over
		// one block, held for the process's life; runs repeat each other
		// (conversation history) within a request far closer than 1 MiB.
		c.zstdEnc, c.zstdErr = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithWindowSize(zstdWindow))
		if c.zstdErr != nil {
			c.zstdErr = fmt.Errorf("zstd: %w", c.zstdErr)
		}
	})
	return c.zstdEnc, c.zstdErr
}
