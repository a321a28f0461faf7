package helmtest

import "syscall"

// childProcAttr makes the kernel kill a control plane process when the test
// binary dies (a go test timeout panics past t.Cleanup), so none outlives it.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
