//go:build !linux

package helmtest

import "syscall"

// childProcAttr has no parent-death signal outside Linux; the context deadline
// and t.Cleanup still stop the control plane.
func childProcAttr() *syscall.SysProcAttr { return nil }
