// Package minikafka starts minikafka, a Kafka-compatible broker made for tests, from its npm
// package, for Go tests:
//
//	func TestOrders(t *testing.T) {
//		client, err := kgo.NewClient(kgo.SeedBrokers(minikafka.Start(t)))
//		...
//	}
//
// Each broker is a child process, `minikafka start --port 0 --json --control-port 0`, read from
// its JSON ready line and stopped with SIGTERM when the test ends. How the command is found:
// FindLauncher. Broker.Control resets, injects faults and moves the clock (control.go).
package minikafka

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Broker is a running minikafka.
type Broker struct {
	// BootstrapServers is "host:port", for any client's bootstrap servers.
	BootstrapServers string
	Port             int
	PID              int
	Launcher         Launcher
	// Control drives the broker's control API (reset, faults, clock, waits); nil for a CLI too
	// old to serve it.
	Control *Control

	cmd     *exec.Cmd
	stderr  *tail
	done    chan struct{}
	waitErr error
	stop    sync.Once
}

type readyLine struct {
	Event            string `json:"event"`
	BootstrapServers string `json:"bootstrapServers"`
	Port             int    `json:"port"`
	PID              int    `json:"pid"`
	ControlURL       string `json:"controlUrl"`
}

// Start starts a broker for tb, stopped when tb ends, and returns its bootstrap servers. args
// are extra `minikafka start` arguments, e.g. "--topic", "orders:3". It fails tb when the broker
// cannot be found or started.
func Start(tb testing.TB, args ...string) string {
	tb.Helper()
	return StartBroker(tb, args...).BootstrapServers
}

// StartBroker is Start returning the Broker.
func StartBroker(tb testing.TB, args ...string) *Broker {
	tb.Helper()
	b, err := Launch(30*time.Second, args...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := b.Stop(); err != nil {
			tb.Errorf("minikafka: %v", err)
		}
	})
	return b
}

// Launch starts a broker outside a test (FindLauncher, then `start --port 0 --json args...`),
// waiting up to timeout for its ready line. Stop it with Stop.
func Launch(timeout time.Duration, args ...string) (*Broker, error) {
	l, err := FindLauncher()
	if err != nil {
		return nil, err
	}
	return l.Launch(timeout, args...)
}

// Launch starts a broker with this launcher.
func (l Launcher) Launch(timeout time.Duration, args ...string) (*Broker, error) {
	base := []string{"start", "--port", "0", "--json"}
	// The control API on a free loopback port, unless args choose one.
	if !hasFlag(args, "--control-port") {
		base = append(base, "--control-port", "0")
	}
	argv := append(append(append([]string{}, l.Argv...), base...), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = dieWithParent()
	stderr := &tail{max: 8 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	// Linux's parent-death signal follows the thread that forked: keep this goroutine on one
	// thread while it starts the broker (Go does not end threads that are not locked).
	runtime.LockOSThread()
	err = cmd.Start()
	runtime.UnlockOSThread()
	if err != nil {
		return nil, fmt.Errorf("minikafka: cannot run %s (found by %s): %w", argv[0], l.FoundBy, err)
	}
	b := &Broker{Launcher: l, cmd: cmd, stderr: stderr, done: make(chan struct{})}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, err := r.ReadString('\n')
		if err == nil {
			lines <- line
		}
		close(lines)
		// Later output is drained so that the broker never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, r)
		b.waitErr = cmd.Wait()
		close(b.done)
	}()
	command := strings.Join(argv, " ")
	select {
	case line, ok := <-lines:
		if !ok {
			<-b.done
			return nil, fmt.Errorf("minikafka: %s exited (%v) before it was ready%s", command, b.waitErr, stderr.describe())
		}
		var ready readyLine
		if err := json.Unmarshal([]byte(line), &ready); err != nil || ready.Event != "ready" {
			_ = b.kill()
			return nil, fmt.Errorf("minikafka: %s: the first line on stdout is not the JSON ready line: %q", command, line)
		}
		b.BootstrapServers, b.Port, b.PID = ready.BootstrapServers, ready.Port, ready.PID
		if ready.ControlURL != "" {
			b.Control = newControl(ready.ControlURL)
		}
		return b, nil
	case <-time.After(timeout):
		_ = b.kill()
		return nil, fmt.Errorf("minikafka: %s printed no ready line within %v%s", command, timeout, stderr.describe())
	}
}

// Stop stops the broker with SIGTERM (a clean stop), or SIGKILL after 10 s. It returns an error
// when the broker did not exit cleanly; calling it again returns nil.
func (b *Broker) Stop() error {
	var err error
	b.stop.Do(func() {
		if sigErr := b.cmd.Process.Signal(syscall.SIGTERM); sigErr != nil && !errors.Is(sigErr, os.ErrProcessDone) {
			err = sigErr
		}
		select {
		case <-b.done:
		case <-time.After(10 * time.Second):
			_ = b.cmd.Process.Kill()
			<-b.done
			err = fmt.Errorf("the broker (pid %d) did not stop within 10 s of SIGTERM and was killed%s", b.PID, b.stderr.describe())
			return
		}
		if err == nil && b.waitErr != nil {
			err = fmt.Errorf("the broker (pid %d) exited with %v%s", b.PID, b.waitErr, b.stderr.describe())
		}
	})
	return err
}

// Reset brings a broker shared by several tests back to its declared topics, empty, with no
// groups, offsets, transactions or faults; it fails tb when the reset fails. Call it at the start
// of each test that shares the broker.
func (b *Broker) Reset(tb testing.TB) ResetReport {
	tb.Helper()
	if b.Control == nil {
		tb.Fatal("minikafka: this broker serves no control API")
	}
	r, err := b.Control.Reset()
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

func (b *Broker) kill() error {
	_ = b.cmd.Process.Kill()
	<-b.done
	return nil
}

// tail keeps the last max bytes written to it: the broker's stderr, quoted in errors.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte{}, t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) describe() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := strings.TrimSpace(string(t.buf)); s != "" {
		return "; its stderr:\n" + s
	}
	return " (nothing on stderr)"
}
