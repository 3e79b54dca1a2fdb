package minikafka

import "syscall"

// dieWithParent: Linux sends the broker SIGTERM when the test binary dies, even by SIGKILL.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
