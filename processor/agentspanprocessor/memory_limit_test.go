package agentspanprocessor

import (
	"context"
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
)

// withNoMemoryLimit runs a test from a process without a soft limit and
// puts the limit it found back afterwards.
func withNoMemoryLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
}

func startWithBudget(t *testing.T, budget int64, auto bool) *agentSpanProcessor {
	t.Helper()
	cfg := testConfig()
	cfg.MaxBufferedBytes = budget
	cfg.AutoMemoryLimit = auto
	p, err := newAgentSpanProcessor(processortestSettings(), cfg, &recordingSink{}, nil)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	return p
}

func TestAutoMemoryLimitFollowsTheBudgets(t *testing.T) {
	withNoMemoryLimit(t)
	ctx := context.Background()

	a := startWithBudget(t, 64<<20, true)
	assert.Equal(t, int64(200<<20), debug.SetMemoryLimit(-1), "2 x 64 MiB + 72 MiB")
	b := startWithBudget(t, 32<<20, true)
	assert.Equal(t, int64(264<<20), debug.SetMemoryLimit(-1), "two pipelines: 2 x 96 MiB + 72 MiB")

	require.NoError(t, a.Shutdown(ctx))
	assert.Equal(t, int64(136<<20), debug.SetMemoryLimit(-1))
	require.NoError(t, b.Shutdown(ctx))
	assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1), "lifted with the last processor")
}

func TestAMemoryLimitSetElsewhereWins(t *testing.T) {
	ctx := context.Background()
	t.Run("GOMEMLIMIT", func(t *testing.T) {
		withNoMemoryLimit(t)
		t.Setenv("GOMEMLIMIT", "300MiB")
		p := startWithBudget(t, 64<<20, true)
		assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1))
		require.NoError(t, p.Shutdown(ctx))
	})
	t.Run("set by the program", func(t *testing.T) {
		withNoMemoryLimit(t)
		debug.SetMemoryLimit(500 << 20)
		p := startWithBudget(t, 64<<20, true)
		require.NoError(t, p.Shutdown(ctx))
		assert.Equal(t, int64(500<<20), debug.SetMemoryLimit(-1), "neither changed nor lifted")
	})
	t.Run("auto_memory_limit false", func(t *testing.T) {
		withNoMemoryLimit(t)
		p := startWithBudget(t, 64<<20, false)
		assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1))
		require.NoError(t, p.Shutdown(ctx))
	})
}
