// Command failover runs test/interop/failover.test.ts's client side with franz-go: an idempotent
// acks=all producer sends --records records (key k<i % 16>, value "i<i>") at --rate records/s while
// a group consumer (offsets committed after every poll and before a revocation) reads them, and the
// test stops and restarts brokers under both. Then it checks that every acknowledged record was
// consumed exactly once, in the order sent within each partition. JSON step lines as the Java
// Failover program: "producing", "produce", "check_exactly_once_in_order".
//
//	failover --bootstrap B --topic T --group G [--records N] [--rate R]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func step(name string, ok bool, detail map[string]any) bool {
	b, _ := json.Marshal(map[string]any{"client": "franz-go", "step": name, "ok": ok, "detail": detail})
	fmt.Println(string(b))
	return ok
}

func main() {
	bootstrap := flag.String("bootstrap", "", "")
	topic := flag.String("topic", "", "")
	group := flag.String("group", "", "")
	n := flag.Int("records", 20000, "")
	rate := flag.Int("rate", 2000, "")
	flag.Parse()
	seeds := strings.Split(*bootstrap, ",")

	acked := make([]atomic.Bool, *n)
	seen := make([]atomic.Int32, *n)
	var ackedCount, consumed, assignments, commitErrors atomic.Int64
	var producing atomic.Bool
	producing.Store(true)
	var mu sync.Mutex
	problems := []string{}
	problem := func(s string) {
		mu.Lock()
		if len(problems) < 50 {
			problems = append(problems, s)
		}
		mu.Unlock()
	}
	allSeen := func() bool {
		for i := range acked {
			if acked[i].Load() && seen[i].Load() == 0 {
				return false
			}
		}
		return true
	}

	var consumer *kgo.Client
	consumer, err := kgo.NewClient(
		kgo.SeedBrokers(seeds...),
		kgo.ClientID("interop-franz-failover-consumer"),
		kgo.ConsumerGroup(*group),
		kgo.ConsumeTopics(*topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.RetryBackoffFn(func(int) time.Duration { return 50 * time.Millisecond }),
		kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) { assignments.Add(1) }),
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, _ map[string][]int32) {
			if err := cl.CommitUncommittedOffsets(ctx); err != nil {
				commitErrors.Add(1)
			}
		}),
	)
	if err != nil {
		step("producing", false, map[string]any{"error": err.Error()})
		os.Exit(1)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := map[int32]int{}
		var deadline time.Time
		for {
			if !producing.Load() && deadline.IsZero() {
				deadline = time.Now().Add(90 * time.Second)
			}
			if !deadline.IsZero() && time.Now().After(deadline) {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			fetches := consumer.PollFetches(ctx)
			cancel()
			got := 0
			fetches.EachRecord(func(r *kgo.Record) {
				got++
				consumed.Add(1)
				i, _ := strconv.Atoi(string(r.Value[1:]))
				if seen[i].Add(1) > 1 {
					problem(fmt.Sprintf("record %d consumed twice", i))
				}
				if l, ok := last[r.Partition]; ok && i <= l {
					problem(fmt.Sprintf("partition %d: %d after %d", r.Partition, i, l))
				}
				last[r.Partition] = i
			})
			if got > 0 {
				if err := consumer.CommitUncommittedOffsets(context.Background()); err != nil {
					commitErrors.Add(1)
				}
			}
			if !producing.Load() && allSeen() {
				return
			}
		}
	}()

	producer, err := kgo.NewClient(
		kgo.SeedBrokers(seeds...),
		kgo.ClientID("interop-franz-failover-producer"),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(2*time.Millisecond),
		kgo.RetryBackoffFn(func(int) time.Duration { return 50 * time.Millisecond }),
	)
	if err != nil {
		step("producing", false, map[string]any{"error": err.Error()})
		os.Exit(1)
	}
	step("producing", true, map[string]any{"records": *n, "rate": *rate})
	start := time.Now()
	var errorsCount atomic.Int64
	var firstErr atomic.Value
	for i := 0; i < *n; i++ {
		due := start.Add(time.Duration(i) * time.Second / time.Duration(*rate))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		idx := i
		rec := &kgo.Record{Topic: *topic, Key: []byte(fmt.Sprintf("k%d", i%16)), Value: []byte(fmt.Sprintf("i%d", i))}
		producer.Produce(context.Background(), rec, func(_ *kgo.Record, err error) {
			if err != nil {
				errorsCount.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				return
			}
			acked[idx].Store(true)
			ackedCount.Add(1)
		})
	}
	if err := producer.Flush(context.Background()); err != nil {
		errorsCount.Add(1)
	}
	producer.Close()
	producing.Store(false)
	first, _ := firstErr.Load().(string)
	ok := step("produce", errorsCount.Load() == 0, map[string]any{"records": *n, "acked": ackedCount.Load(), "errors": errorsCount.Load(), "ms": time.Since(start).Milliseconds(), "first": first})
	<-done
	consumer.Close()

	missing := 0
	for i := range acked {
		if acked[i].Load() && seen[i].Load() == 0 {
			missing++
			problem(fmt.Sprintf("acknowledged record %d never consumed", i))
		}
	}
	mu.Lock()
	detail := map[string]any{"acked": ackedCount.Load(), "consumed": consumed.Load(), "missing": missing, "assignments": assignments.Load(), "commitErrors": commitErrors.Load(), "problems": problems}
	checked := len(problems) == 0 && ackedCount.Load() > 0
	mu.Unlock()
	ok = step("check_exactly_once_in_order", checked, detail) && ok
	if !ok {
		os.Exit(1)
	}
}
