// Package fifo holds the insertion order of bounded caches, so that they can
// forget their oldest entry first.
package fifo

// Keys keeps the insertion order of at most limit keys, so that bounded
// caches can forget their oldest entry first.
type Keys[K comparable] struct {
	order []K
	next  int
	limit int
}

// NewKeys returns an empty order of at most limit keys.
func NewKeys[K comparable](limit int) Keys[K] {
	return Keys[K]{limit: max(limit, 1)}
}

// Push records a new key and returns the key it displaced, if the limit was
// reached.
func (f *Keys[K]) Push(k K) (evicted K, ok bool) {
	if len(f.order) < f.limit {
		f.order = append(f.order, k)
		return evicted, false
	}
	evicted = f.order[f.next]
	f.order[f.next] = k
	f.next = (f.next + 1) % f.limit
	return evicted, true
}
