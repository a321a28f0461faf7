package langsmithexporter

// fifoKeys keeps the insertion order of at most limit keys, so that bounded
// caches can forget their oldest entry first.
type fifoKeys[K comparable] struct {
	order []K
	next  int
	limit int
}

func newFIFOKeys[K comparable](limit int) fifoKeys[K] {
	return fifoKeys[K]{limit: max(limit, 1)}
}

// push records a new key and returns the key it displaced, if the limit was
// reached.
func (f *fifoKeys[K]) push(k K) (evicted K, ok bool) {
	if len(f.order) < f.limit {
		f.order = append(f.order, k)
		return evicted, false
	}
	evicted = f.order[f.next]
	f.order[f.next] = k
	f.next = (f.next + 1) % f.limit
	return evicted, true
}
