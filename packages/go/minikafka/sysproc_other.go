//go:build !linux

package minikafka

import "syscall"

// dieWithParent: only Linux has a parent-death signal; elsewhere the broker is stopped by Stop
// (t.Cleanup) and outlives a test binary that is killed.
func dieWithParent() *syscall.SysProcAttr {
	return nil
}
