package minikafka

// The broker's control API over HTTP (`minikafka start --control-port`): every broker Launch
// starts serves it on a free loopback port, so a test can reset a shared broker between tests,
// inject faults and move the broker's clock:
//
//	b := minikafka.StartBroker(t)
//	b.Control.AddFault(minikafka.Fault{"api": "Produce", "action": "error", "error": "NOT_LEADER_OR_FOLLOWER", "count": 3})
//	b.Control.AdvanceClock(45 * time.Second)
//	report, err := b.Control.Reset()

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Control is a client of one broker's control API.
type Control struct {
	// URL is the API's base URL, e.g. "http://127.0.0.1:41236".
	URL    string
	client *http.Client
}

// Fault is one fault rule as POST /faults takes it, e.g. {"api": "Fetch", "action": "latency", "ms": 2000}.
type Fault map[string]any

// ControlError is an error the control API answered: Status (HTTP), Code (BAD_REQUEST, NOT_FOUND, TIMEOUT, ...).
type ControlError struct {
	Status  int
	Code    string
	Message string
}

func (e *ControlError) Error() string {
	return fmt.Sprintf("minikafka control API: %d %s: %s", e.Status, e.Code, e.Message)
}

// ResetReport is what a reset removed.
type ResetReport struct {
	TopicsDeleted   int     `json:"topicsDeleted"`
	TopicsRecreated int     `json:"topicsRecreated"`
	Groups          int     `json:"groups"`
	Transactions    int     `json:"transactions"`
	Faults          int     `json:"faults"`
	Ms              float64 `json:"ms"`
}

// ClockState is the broker clock as GET /clock gives it.
type ClockState struct {
	Frozen        bool    `json:"frozen"`
	Now           float64 `json:"now"`
	OffsetMs      float64 `json:"offsetMs"`
	PendingTimers int     `json:"pendingTimers"`
}

func newControl(u string) *Control {
	return &Control{URL: u, client: &http.Client{}}
}

// Do sends one request (body marshalled as JSON unless nil) and decodes the answer into out
// (unless nil). An error answer is a *ControlError.
func (c *Control) Do(method, path string, body, out any, timeout time.Duration) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.URL+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("content-type", "application/json")
	client := *c.client
	client.Timeout = timeout
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("minikafka control API: %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	text, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		e := &ControlError{Status: res.StatusCode}
		var answer struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		if json.Unmarshal(text, &answer) == nil {
			e.Code, e.Message = answer.Error, answer.Message
		} else {
			e.Message = string(text)
		}
		return e
	}
	if out == nil || len(text) == 0 {
		return nil
	}
	return json.Unmarshal(text, out)
}

const controlTimeout = 30 * time.Second

// Reset brings the broker back to its declared topics (empty): no other topics, groups,
// committed offsets, transactions or faults.
func (c *Control) Reset() (ResetReport, error) {
	var r ResetReport
	return r, c.Do("POST", "/reset", nil, &r, controlTimeout)
}

// SnapshotInfo describes a named snapshot (GET /snapshots).
type SnapshotInfo struct {
	Name       string `json:"name"`
	SavedAt    int64  `json:"savedAt"`
	Topics     int    `json:"topics"`
	Partitions int    `json:"partitions"`
	Batches    int    `json:"batches"`
	Bytes      int64  `json:"bytes"`
}

// Snapshot saves the cluster as it is now (topics with their records, committed offsets,
// configs, ACLs) under name; Restore puts it back.
func (c *Control) Snapshot(name string) (SnapshotInfo, error) {
	var r SnapshotInfo
	return r, c.Do("POST", "/snapshots/"+url.PathEscape(name), nil, &r, controlTimeout)
}

// Restore puts the cluster back as snapshot name saved it: topics, records and commits made
// after it are gone. An unknown name is a *ControlError with Status 404.
func (c *Control) Restore(name string) (map[string]any, error) {
	var r map[string]any
	return r, c.Do("POST", "/snapshots/"+url.PathEscape(name)+"/restore", nil, &r, controlTimeout)
}

// Snapshots lists the named snapshots.
func (c *Control) Snapshots() ([]SnapshotInfo, error) {
	var r []SnapshotInfo
	return r, c.Do("GET", "/snapshots", nil, &r, controlTimeout)
}

// DeleteSnapshot forgets snapshot name.
func (c *Control) DeleteSnapshot(name string) error {
	return c.Do("DELETE", "/snapshots/"+url.PathEscape(name), nil, nil, controlTimeout)
}

// AddFault adds a rule and returns it with its id ("id"), "remaining" and "hits".
func (c *Control) AddFault(f Fault) (map[string]any, error) {
	var r map[string]any
	return r, c.Do("POST", "/faults", f, &r, controlTimeout)
}

// Faults lists the rules still in force.
func (c *Control) Faults() ([]map[string]any, error) {
	var r []map[string]any
	return r, c.Do("GET", "/faults", nil, &r, controlTimeout)
}

// ClearFaults removes every rule and stops chaos; it returns how many rules there were.
func (c *Control) ClearFaults() (int, error) {
	var r struct {
		Removed int `json:"removed"`
	}
	return r.Removed, c.Do("DELETE", "/faults", nil, &r, controlTimeout)
}

// FreezeClock stops the broker's clock; only AdvanceClock moves it then.
func (c *Control) FreezeClock() (ClockState, error) {
	var r ClockState
	return r, c.Do("POST", "/clock/freeze", nil, &r, controlTimeout)
}

// AdvanceClock moves the broker's clock forward (timers due in between fire).
func (c *Control) AdvanceClock(d time.Duration) (ClockState, error) {
	var r ClockState
	return r, c.Do("POST", "/clock/advance", map[string]int64{"ms": d.Milliseconds()}, &r, controlTimeout)
}

// ResumeClock lets the clock follow real time again, keeping the offset advanced.
func (c *Control) ResumeClock() (ClockState, error) {
	var r ClockState
	return r, c.Do("POST", "/clock/resume", nil, &r, controlTimeout)
}

// WaitGroup waits until the group is Stable with members members (0: any number).
func (c *Control) WaitGroup(groupID string, members int, timeout time.Duration) (map[string]any, error) {
	q := url.Values{"timeoutMs": {fmt.Sprint(timeout.Milliseconds())}}
	if members > 0 {
		q.Set("members", fmt.Sprint(members))
	}
	var r map[string]any
	return r, c.Do("GET", "/wait/group/"+url.PathEscape(groupID)+"?"+q.Encode(), nil, &r, timeout+10*time.Second)
}

// WaitOffset waits until the partition's high watermark reaches offset.
func (c *Control) WaitOffset(topic string, partition int, offset int64, timeout time.Duration) error {
	q := url.Values{"timeoutMs": {fmt.Sprint(timeout.Milliseconds())}, "offset": {fmt.Sprint(offset)}}
	return c.Do("GET", fmt.Sprintf("/wait/offset/%s/%d?%s", url.PathEscape(topic), partition, q.Encode()), nil, nil, timeout+10*time.Second)
}
