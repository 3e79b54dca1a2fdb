// Command franz-txn runs the transaction scenario (../../SCENARIO.md) with franz-go: a
// transactional kgo client (kgo.TransactionalID) commits, aborts and commits again; kgo clients
// consuming assigned partitions read with kgo.FetchIsolationLevel read_committed and read_uncommitted.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"minikafka.dev/interop/scenario"
)

const client = "franz-go"

type driver struct {
	args     scenario.Args
	cl       *kgo.Client
	admin    *kadm.Client
	producer *kgo.Client
}

func (d *driver) Info() map[string]any {
	return map[string]any{"library": "github.com/twmb/franz-go", "version": scenario.ModuleVersion("github.com/twmb/franz-go")}
}

func (d *driver) CreateTopic(ctx context.Context, topic string, partitions int32) error {
	resp, err := d.admin.CreateTopic(ctx, partitions, 1, nil, topic)
	if err != nil {
		return err
	}
	return resp.Err
}

func (d *driver) ProduceTransaction(ctx context.Context, records []scenario.TxnRecord, commit bool) error {
	if d.producer == nil {
		p, err := kgo.NewClient(
			kgo.SeedBrokers(d.args.Bootstrap),
			kgo.ClientID("interop-franz-txn-producer"),
			kgo.TransactionalID(d.args.Topic+"-franz"),
			kgo.DefaultProduceTopic(d.args.Topic),
			kgo.ProducerLinger(5*time.Millisecond),
		)
		if err != nil {
			return err
		}
		d.producer = p
	}
	p := d.producer
	if err := p.BeginTransaction(); err != nil {
		return err
	}
	var firstErr error
	done := make(chan struct{}, len(records))
	for _, rec := range records {
		p.Produce(ctx, &kgo.Record{Key: []byte(rec.Key), Value: []byte(rec.Value)}, func(_ *kgo.Record, err error) {
			if err != nil && firstErr == nil {
				firstErr = err
			}
			done <- struct{}{}
		})
	}
	if err := p.Flush(ctx); err != nil {
		return err
	}
	for range records {
		<-done
	}
	if firstErr != nil {
		return firstErr
	}
	end := kgo.TryCommit
	if !commit {
		end = kgo.TryAbort
	}
	return p.EndTransaction(ctx, end)
}

func (d *driver) Consume(ctx context.Context, isolation string, n int, deadline time.Time) ([]string, error) {
	assign := map[int32]kgo.Offset{}
	for p := int32(0); p < scenario.Partitions; p++ {
		assign[p] = kgo.NewOffset().AtStart()
	}
	level := kgo.ReadUncommitted()
	if isolation == "read_committed" {
		level = kgo.ReadCommitted()
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(d.args.Bootstrap),
		kgo.ClientID("interop-franz-txn-"+isolation),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{d.args.Topic: assign}),
		kgo.FetchIsolationLevel(level),
		kgo.FetchMaxWait(200*time.Millisecond),
	)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var values []string
	var grace time.Time
	for time.Now().Before(deadline) {
		if len(values) >= n {
			// One more short read: anything beyond n is a duplicate, aborted data or a leaked marker.
			if grace.IsZero() {
				grace = time.Now().Add(500 * time.Millisecond)
			}
			if time.Now().After(grace) {
				break
			}
		}
		pctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		fetches := cl.PollFetches(pctx)
		cancel()
		for _, fe := range fetches.Errors() {
			if fe.Err == context.DeadlineExceeded || fe.Err == context.Canceled {
				continue
			}
			return values, fmt.Errorf("fetch p%d: %w", fe.Partition, fe.Err)
		}
		fetches.EachRecord(func(r *kgo.Record) { values = append(values, string(r.Value)) })
	}
	return values, nil
}

func (d *driver) DeleteTopic(ctx context.Context, topic string) error {
	resp, err := d.admin.DeleteTopic(ctx, topic)
	if err != nil {
		return err
	}
	return resp.Err
}

func (d *driver) Close() {
	if d.producer != nil {
		d.producer.Close()
	}
	d.cl.Close()
}

func main() {
	args := scenario.ParseTxnArgs(client)
	cl, err := kgo.NewClient(kgo.SeedBrokers(args.Bootstrap), kgo.ClientID("interop-franz-txn-admin"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(scenario.RunTxn(client, &driver{args: args, cl: cl, admin: kadm.NewClient(cl)}, args))
}
