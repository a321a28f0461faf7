//go:build tools

// Package tools pins build tools in their own module so that their
// dependencies never mix with the collector release the distribution uses.
package tools

import _ "go.opentelemetry.io/collector/cmd/mdatagen"
