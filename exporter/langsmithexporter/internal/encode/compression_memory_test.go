package encode

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// largeBody is a request body of many similar runs, larger than the zstd
// window, so that the encoder needs its history buffer.
func largeBody(size int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `{"id":"run-%08d","inputs":{"messages":[{"role":"user","content":"question %d"}]}}`, i, i%97)
	}
	return b.Bytes()
}

// The zstd encoder's history is bounded by zstdWindow, not by the library's
// 8 MiB default window (a 16 MiB buffer per encoder, held for good).
func TestCompressZstdMemoryBounded(t *testing.T) {
	body := largeBody(6 << 20)
	c := NewCompressor()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out, err := c.Compress(EncodingZstd, body)
	require.NoError(t, err)
	runtime.ReadMemStats(&after)

	allocated := after.TotalAlloc - before.TotalAlloc
	// History (2 windows) + output buffer (a quarter of the body) + tables.
	assert.Less(t, allocated, uint64(4*zstdWindow+len(body)/4+(2<<20)),
		"zstd compression of a %d-byte body allocated %d bytes", len(body), allocated)
	assert.Equal(t, body, decompressForTest(t, EncodingZstd, out))
	assert.Less(t, len(out), len(body)/10, "repetitive runs still compress well")
}
