package encode

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decompressForTest(t *testing.T, encoding string, body []byte) []byte {
	t.Helper()
	switch encoding {
	case EncodingNone:
		return body
	case EncodingZstd:
		dec, err := zstd.NewReader(nil)
		require.NoError(t, err)
		defer dec.Close()
		out, err := dec.DecodeAll(body, nil)
		require.NoError(t, err)
		return out
	case EncodingGzip:
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err)
		out, err := io.ReadAll(zr)
		require.NoError(t, err)
		return out
	}
	t.Fatalf("unknown encoding %q", encoding)
	return nil
}

func TestCompressRoundTrip(t *testing.T) {
	body := []byte(strings.Repeat(`{"role":"user","content":"hello there"}`, 2000))
	c := NewCompressor()
	for _, enc := range []string{EncodingZstd, EncodingGzip, EncodingNone} {
		t.Run("enc="+enc, func(t *testing.T) {
			// Twice: the second call reuses the pooled/shared encoder.
			for range 2 {
				out, err := c.Compress(enc, body)
				require.NoError(t, err)
				if enc != EncodingNone {
					assert.Less(t, len(out), len(body)/10, "repetitive JSON must compress well")
				}
				assert.Equal(t, body, decompressForTest(t, enc, out))
			}
		})
	}
	out, err := c.Compress(EncodingZstd, nil)
	require.NoError(t, err)
	assert.Empty(t, decompressForTest(t, EncodingZstd, out))
}

func TestCompressConcurrent(t *testing.T) {
	c := NewCompressor()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			enc := []string{EncodingZstd, EncodingGzip}[i%2]
			body := []byte(strings.Repeat(fmt.Sprintf("payload-%d;", i), 5000))
			for range 10 {
				out, err := c.Compress(enc, body)
				if !assert.NoError(t, err) {
					return
				}
				assert.Equal(t, body, decompressForTest(t, enc, out))
			}
		}()
	}
	wg.Wait()
}

func TestCompressUnknownEncoding(t *testing.T) {
	_, err := NewCompressor().Compress("br", []byte("x"))
	assert.ErrorContains(t, err, "br")
}
