package langsmithexporter

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
	"go.opentelemetry.io/collector/config/configcompression"
)

func decompressForTest(t *testing.T, encoding string, body []byte) []byte {
	t.Helper()
	switch encoding {
	case encodingNone:
		return body
	case encodingZstd:
		dec, err := zstd.NewReader(nil)
		require.NoError(t, err)
		defer dec.Close()
		out, err := dec.DecodeAll(body, nil)
		require.NoError(t, err)
		return out
	case encodingGzip:
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
	c := newCompressor()
	for _, enc := range []string{encodingZstd, encodingGzip, encodingNone} {
		t.Run("enc="+enc, func(t *testing.T) {
			// Twice: the second call reuses the pooled/shared encoder.
			for range 2 {
				out, err := c.compress(enc, body)
				require.NoError(t, err)
				if enc != encodingNone {
					assert.Less(t, len(out), len(body)/10, "repetitive JSON must compress well")
				}
				assert.Equal(t, body, decompressForTest(t, enc, out))
			}
		})
	}
	out, err := c.compress(encodingZstd, nil)
	require.NoError(t, err)
	assert.Empty(t, decompressForTest(t, encodingZstd, out))
}

func TestCompressConcurrent(t *testing.T) {
	c := newCompressor()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			enc := []string{encodingZstd, encodingGzip}[i%2]
			body := []byte(strings.Repeat(fmt.Sprintf("payload-%d;", i), 5000))
			for range 10 {
				out, err := c.compress(enc, body)
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
	_, err := newCompressor().compress("br", []byte("x"))
	assert.ErrorContains(t, err, "br")
}

func TestChooseEncoding(t *testing.T) {
	both := serverInfo{ZstdEnabled: true, GzipEnabled: true}
	gzipOnly := serverInfo{GzipEnabled: true}
	zstdOnly := serverInfo{ZstdEnabled: true}
	neither := serverInfo{}
	tests := []struct {
		configured configcompression.Type
		info       serverInfo
		want       string
	}{
		{configcompression.TypeZstd, both, encodingZstd},
		{configcompression.TypeZstd, zstdOnly, encodingZstd},
		{configcompression.TypeZstd, gzipOnly, encodingGzip},
		{configcompression.TypeZstd, neither, encodingNone},
		{configcompression.TypeGzip, both, encodingGzip},
		{configcompression.TypeGzip, zstdOnly, encodingNone},
		{"none", both, encodingNone},
		{"", both, encodingNone},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, chooseEncoding(tt.configured, tt.info), "%q with %+v", tt.configured, tt.info)
	}
}
