// Command franz runs the interop scenario (../../SCENARIO.md) with franz-go: kadm for topics and
// offsets, a kgo client per codec to produce, and a kgo client consuming assigned partitions
// (kgo.ConsumePartitions, no group).
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

var codecs = map[string]kgo.CompressionCodec{
	"none":   kgo.NoCompression(),
	"gzip":   kgo.GzipCompression(),
	"snappy": kgo.SnappyCompression(),
	"lz4":    kgo.Lz4Compression(),
	"zstd":   kgo.ZstdCompression(),
}

type driver struct {
	args  scenario.Args
	cl    *kgo.Client
	admin *kadm.Client
}

func (d *driver) Info() map[string]any {
	return map[string]any{
		"library": "github.com/twmb/franz-go",
		"version": scenario.ModuleVersion("github.com/twmb/franz-go"),
		"kadm":    scenario.ModuleVersion("github.com/twmb/franz-go/pkg/kadm"),
	}
}

func (d *driver) UnsupportedCodecs() map[string]string { return nil }

func (d *driver) CreateTopic(ctx context.Context, topic string, partitions int32) error {
	resp, err := d.admin.CreateTopic(ctx, partitions, 1, nil, topic)
	if err != nil {
		return err
	}
	return resp.Err
}

func (d *driver) Produce(ctx context.Context, codec string, records []scenario.Record) (map[int]scenario.Ack, error) {
	c, ok := codecs[codec]
	if !ok {
		return nil, fmt.Errorf("unknown codec %q", codec)
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(d.args.Bootstrap),
		kgo.ClientID("interop-franz-producer-"+codec),
		kgo.ProducerBatchCompression(c),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(5*time.Millisecond),
	)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	acks := make(map[int]scenario.Ack, len(records))
	var firstErr error
	done := make(chan struct{}, len(records))
	for _, rec := range records {
		index := rec.Index
		kr := &kgo.Record{
			Topic:     d.args.Topic,
			Key:       []byte(rec.Key),
			Value:     []byte(rec.Value),
			Timestamp: time.UnixMilli(rec.Timestamp),
		}
		for _, h := range rec.Headers {
			kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h.Key, Value: []byte(h.Value)})
		}
		// Promises run serially in one goroutine, so the map needs no lock.
		cl.Produce(ctx, kr, func(r *kgo.Record, err error) {
			if err != nil && firstErr == nil {
				firstErr = err
			} else if err == nil {
				acks[index] = scenario.Ack{Partition: r.Partition, Offset: r.Offset}
			}
			done <- struct{}{}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return nil, err
	}
	for range records {
		<-done
	}
	if firstErr != nil {
		return nil, fmt.Errorf("produce %s: %w", codec, firstErr)
	}
	return acks, nil
}

func (d *driver) Consume(ctx context.Context, n int, deadline time.Time) (string, *scenario.Unsupported, []scenario.Read, error) {
	assign := map[int32]kgo.Offset{}
	for p := int32(0); p < scenario.Partitions; p++ {
		assign[p] = kgo.NewOffset().AtStart()
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(d.args.Bootstrap),
		kgo.ClientID("interop-franz-consumer"),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{d.args.Topic: assign}),
		kgo.FetchMaxWait(500*time.Millisecond),
	)
	if err != nil {
		return "consume_assigned", nil, nil, err
	}
	defer cl.Close()
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var reads []scenario.Read
	for len(reads) < n {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			break
		}
		for _, fe := range fetches.Errors() {
			return "consume_assigned", nil, reads, fmt.Errorf("fetch p%d: %w", fe.Partition, fe.Err)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			rd := scenario.Read{Partition: r.Partition, Offset: r.Offset, Key: string(r.Key), Value: string(r.Value), Timestamp: r.Timestamp.UnixMilli()}
			for _, h := range r.Headers {
				rd.Headers = append(rd.Headers, scenario.Header{Key: h.Key, Value: string(h.Value)})
			}
			reads = append(reads, rd)
		})
	}
	return "consume_assigned", nil, reads, nil
}

func (d *driver) ListOffsets(ctx context.Context, spec scenario.Spec) (map[int32]int64, error) {
	var listed kadm.ListedOffsets
	var err error
	switch spec.Kind {
	case "earliest":
		listed, err = d.admin.ListStartOffsets(ctx, d.args.Topic)
	case "latest":
		listed, err = d.admin.ListEndOffsets(ctx, d.args.Topic)
	default:
		listed, err = d.admin.ListOffsetsAfterMilli(ctx, spec.Timestamp, d.args.Topic)
	}
	if err != nil {
		return nil, err
	}
	if err := listed.Error(); err != nil {
		return nil, err
	}
	out := map[int32]int64{}
	listed.Each(func(o kadm.ListedOffset) { out[o.Partition] = o.Offset })
	return out, nil
}

func (d *driver) DeleteTopic(ctx context.Context, topic string) error {
	resp, err := d.admin.DeleteTopic(ctx, topic)
	if err != nil {
		return err
	}
	return resp.Err
}

func (d *driver) Close() { d.cl.Close() }

func main() {
	args := scenario.ParseArgs(client)
	cl, err := kgo.NewClient(kgo.SeedBrokers(args.Bootstrap), kgo.ClientID("interop-franz-admin"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(scenario.Run(client, &driver{args: args, cl: cl, admin: kadm.NewClient(cl)}, args))
}
