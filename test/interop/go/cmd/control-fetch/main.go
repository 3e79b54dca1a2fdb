// Command control-fetch holds Fetch through the broker's HTTP control API (a "hang" rule on the
// topic's fetches for --hold-ms) and consumes one record with franz-go, reporting how its client
// lived through the hold as one JSON line: when the record came, and how many fetch responses its
// read deadline gave up on (franz-go deadlines a fetch at its max wait plus
// RequestTimeoutOverhead, kills the connection and fetches again on a new one).
//
//	control-fetch --bootstrap B --control-url U --topic T --hold-ms 2000 --max-wait-ms 500 --overhead-ms 500
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// fetchReads counts franz-go's reads of Fetch responses (key 1) and the ones that hit the deadline.
type fetchReads struct {
	mu       sync.Mutex
	ok       int
	timeouts int
	others   []string
}

func (f *fetchReads) OnBrokerRead(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key != 1 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case err == nil:
		f.ok++
	case errors.Is(err, os.ErrDeadlineExceeded):
		f.timeouts++
	default:
		f.others = append(f.others, err.Error())
	}
}

func fail(msg string, args ...any) {
	b, _ := json.Marshal(map[string]any{"error": fmt.Sprintf(msg, args...)})
	fmt.Println(string(b))
	os.Exit(1)
}

func main() {
	bootstrap := flag.String("bootstrap", "", "")
	controlURL := flag.String("control-url", "", "")
	topic := flag.String("topic", "", "")
	holdMs := flag.Int("hold-ms", 2000, "how long the broker holds the topic's fetches")
	maxWaitMs := flag.Int("max-wait-ms", 500, "kgo.FetchMaxWait")
	overheadMs := flag.Int("overhead-ms", 10000, "kgo.RequestTimeoutOverhead")
	flag.Parse()

	rule, _ := json.Marshal(map[string]any{"api": "Fetch", "topic": *topic, "action": "hang", "durationMs": *holdMs})
	res, err := http.Post(*controlURL+"/faults", "application/json", bytes.NewReader(rule))
	if err != nil {
		fail("adding the fault: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		fail("adding the fault: HTTP %d", res.StatusCode)
	}
	held := time.Now()

	reads := &fetchReads{}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(*bootstrap),
		kgo.ConsumeTopics(*topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(time.Duration(*maxWaitMs)*time.Millisecond),
		kgo.RequestTimeoutOverhead(time.Duration(*overheadMs)*time.Millisecond),
		kgo.RetryBackoffFn(func(int) time.Duration { return 50 * time.Millisecond }),
		kgo.WithHooks(reads),
	)
	if err != nil {
		fail("client: %v", err)
	}
	defer cl.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var value string
	for value == "" && ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) {
			if value == "" {
				value = string(r.Value)
			}
		})
	}
	if value == "" {
		fail("no record within 30 s")
	}
	ms := time.Since(held).Milliseconds()
	reads.mu.Lock()
	defer reads.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"error": nil, "value": value, "ms": ms, "fetchOk": reads.ok, "fetchTimeouts": reads.timeouts, "fetchOtherErrors": reads.others})
	fmt.Println(string(b))
}
