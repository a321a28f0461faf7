// Package indexedattr reads the indexed attribute families that GenAI
// instrumentations use for lists (openllmetry's gen_ai.prompt.{i}.role,
// OpenInference's llm.input_messages.{i}.message.content, ...). Both the
// exporter and the processor read them.
package indexedattr

import (
	"iter"
	"sort"
	"strconv"
	"strings"
)

// Group groups "<prefix><i>.<field>" keys by index i, in index order, each
// group mapping field to value. Keys whose index is not a non-negative number
// (such as gen_ai.prompt.prompt_filter_results) are ignored.
func Group[V any](all iter.Seq2[string, V], prefix string) []map[string]V {
	var groups map[int]map[string]V // made on the first match: most spans have none
	for k, v := range all {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		if !ok || field == "" {
			continue
		}
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 {
			continue
		}
		if groups == nil {
			groups = map[int]map[string]V{}
		}
		if groups[i] == nil {
			groups[i] = map[string]V{}
		}
		groups[i][field] = v
	}
	if len(groups) == 0 {
		return nil
	}
	indices := make([]int, 0, len(groups))
	for i := range groups {
		indices = append(indices, i)
	}
	sort.Ints(indices)
	out := make([]map[string]V, 0, len(indices))
	for _, i := range indices {
		out = append(out, groups[i])
	}
	return out
}
