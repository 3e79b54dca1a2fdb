package minikafka_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"minikafka.dev/minikafka"
)

// franz-go produces to and consumes in a group from a broker that minikafka.Start gives the test.
func TestFranzGoProduceConsume(t *testing.T) {
	bootstrap := minikafka.Start(t, "--topic", "orders:3", "--config", "group.initial.rebalance.delay.ms=0")

	producer, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var sent []string
	for i := range 6 {
		v := fmt.Sprintf("order-%d", i)
		sent = append(sent, v)
		if err := producer.ProduceSync(ctx, &kgo.Record{Topic: "orders", Key: []byte(v), Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatalf("produce %s: %v", v, err)
		}
	}

	consumer, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumerGroup("orders-readers"), kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	var got []string
	for len(got) < len(sent) {
		fetches := consumer.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d records: %v", len(got), len(sent), err)
		}
		fetches.EachError(func(topic string, p int32, err error) { t.Fatalf("fetch %s-%d: %v", topic, p, err) })
		fetches.EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
	}
	slices.Sort(got)
	if !slices.Equal(got, sent) {
		t.Fatalf("consumed %v, produced %v", got, sent)
	}
}

func TestStopIsCleanAndIdempotent(t *testing.T) {
	b := minikafka.StartBroker(t)
	if err := b.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := b.Stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
}

func TestTheProjectInstallIsFound(t *testing.T) {
	t.Setenv("MINIKAFKA_COMMAND", "")
	l, err := minikafka.FindLauncher()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(l.FoundBy, "the npm package in ") {
		t.Fatalf("found by %q", l.FoundBy)
	}
}

func TestAMissingNodeIsNamed(t *testing.T) {
	empty := t.TempDir()
	t.Chdir(empty)
	t.Setenv("PATH", empty)
	t.Setenv("MINIKAFKA_COMMAND", "")
	t.Setenv("MINIKAFKA_NODE", "")
	_, err := minikafka.FindLauncher()
	if err == nil || !strings.Contains(err.Error(), "Node.js") || !strings.Contains(err.Error(), "MINIKAFKA_NODE") {
		t.Fatalf("want an error naming Node.js and MINIKAFKA_NODE, got %v", err)
	}
}

func TestABrokerThatExitsEarlyIsReported(t *testing.T) {
	script := filepath.Join(t.TempDir(), "fail.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'bad flag' >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MINIKAFKA_COMMAND", script)
	_, err := minikafka.Launch(30 * time.Second)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "bad flag") {
		t.Fatalf("want the exit status and stderr, got %v", err)
	}
}

// Time from Launch to the ready line, five starts (the README's Fixtures timing).
func TestStartTiming(t *testing.T) {
	var ms []string
	for range 5 {
		start := time.Now()
		b, err := minikafka.Launch(30 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, fmt.Sprint(time.Since(start).Milliseconds()))
		if err := b.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("start to ready (ms): %s", strings.Join(ms, " "))
}

// One broker shared by several tests, reset between them over the control API; faults and the
// clock over the same API, with franz-go retrying past the faults.
func TestResetFaultsAndClock(t *testing.T) {
	b := minikafka.StartBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, err := kgo.NewClient(kgo.SeedBrokers(b.BootstrapServers), kgo.AllowAutoTopicCreation(), kgo.RetryBackoffFn(func(int) time.Duration { return 10 * time.Millisecond }),
		// A NOT_LEADER_OR_FOLLOWER makes franz-go refresh metadata, by default at most every 5 s.
		kgo.MetadataMinAge(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	t.Run("a test leaves a topic behind", func(t *testing.T) {
		b.Reset(t)
		if err := client.ProduceSync(ctx, &kgo.Record{Topic: "left-behind", Value: []byte("x")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the next one starts from empty", func(t *testing.T) {
		r := b.Reset(t)
		if r.TopicsDeleted != 1 {
			t.Fatalf("reset deleted %d topics, want 1 (left-behind): %+v", r.TopicsDeleted, r)
		}
	})
	t.Run("produce retries past three NOT_LEADER_OR_FOLLOWER", func(t *testing.T) {
		b.Reset(t)
		rule, err := b.Control.AddFault(minikafka.Fault{"api": "Produce", "action": "error", "error": "NOT_LEADER_OR_FOLLOWER", "count": 3})
		if err != nil {
			t.Fatal(err)
		}
		if rule["remaining"] != float64(3) {
			t.Fatalf("rule %v", rule)
		}
		if err := client.ProduceSync(ctx, &kgo.Record{Topic: "faulty", Value: []byte("once")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if err := b.Control.WaitOffset("faulty", 0, 1, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		left, err := b.Control.Faults()
		if err != nil || len(left) != 0 {
			t.Fatalf("faults left %v (%v): the three failures should have used the rule up", left, err)
		}
	})
	t.Run("a snapshot restores the records it saved", func(t *testing.T) {
		b.Reset(t)
		if err := client.ProduceSync(ctx, &kgo.Record{Topic: "prepared", Value: []byte("seed")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		info, err := b.Control.Snapshot("seeded")
		if err != nil || info.Name != "seeded" || info.Batches == 0 {
			t.Fatalf("snapshot: %+v %v", info, err)
		}
		if err := client.ProduceSync(ctx, &kgo.Record{Topic: "prepared", Value: []byte("later")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Control.Restore("seeded"); err != nil {
			t.Fatal(err)
		}
		// The record produced after the snapshot is gone: the next one takes its offset again. A new
		// client: the old one's idempotent sequence numbers are past what the restored broker holds.
		fresh, err := kgo.NewClient(kgo.SeedBrokers(b.BootstrapServers))
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		r, err := fresh.ProduceSync(ctx, &kgo.Record{Topic: "prepared", Value: []byte("after restore")}).First()
		if err != nil || r.Offset != 1 {
			t.Fatalf("produce after restore: offset %d, want 1 (%v)", r.Offset, err)
		}
		if err := b.Control.DeleteSnapshot("seeded"); err != nil {
			t.Fatal(err)
		}
		var ce *minikafka.ControlError
		if _, err := b.Control.Restore("seeded"); !errors.As(err, &ce) || ce.Status != 404 {
			t.Fatalf("restore of a deleted snapshot: %v, want a 404", err)
		}
	})
	t.Run("the clock freezes and advances", func(t *testing.T) {
		frozen, err := b.Control.FreezeClock()
		if err != nil || !frozen.Frozen {
			t.Fatalf("freeze: %+v %v", frozen, err)
		}
		moved, err := b.Control.AdvanceClock(time.Hour)
		if err != nil || moved.Now-frozen.Now != 3_600_000 {
			t.Fatalf("advance: %+v %v", moved, err)
		}
		if _, err := b.Control.ResumeClock(); err != nil {
			t.Fatal(err)
		}
		var cerr *minikafka.ControlError
		if _, err := b.Control.AddFault(minikafka.Fault{"api": "Produce", "action": "explode"}); !errors.As(err, &cerr) || cerr.Status != 400 {
			t.Fatalf("a bad rule: %v", err)
		}
	})
}
