// Command sarama runs the interop scenario (../../SCENARIO.md) with IBM/sarama: ClusterAdmin for
// topics, an AsyncProducer per codec, a partition Consumer per assigned partition (no group), and
// Client.GetOffset to list offsets (sarama's ClusterAdmin has no ListOffsets).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/IBM/sarama"

	"minikafka.dev/interop/scenario"
)

const client = "sarama"

var codecs = map[string]sarama.CompressionCodec{
	"none":   sarama.CompressionNone,
	"gzip":   sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy,
	"lz4":    sarama.CompressionLZ4,
	"zstd":   sarama.CompressionZSTD,
}

type driver struct {
	args   scenario.Args
	client sarama.Client
	admin  sarama.ClusterAdmin
}

// config is sarama's default configuration speaking the newest Kafka protocol it knows.
func config(clientID string) *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = clientID
	c.Version = sarama.MaxVersion
	return c
}

func (d *driver) Info() map[string]any {
	return map[string]any{"library": "github.com/IBM/sarama", "version": scenario.ModuleVersion("github.com/IBM/sarama"), "protocol": sarama.MaxVersion.String()}
}

func (d *driver) UnsupportedCodecs() map[string]string { return nil }

func (d *driver) CreateTopic(ctx context.Context, topic string, partitions int32) error {
	return d.admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false)
}

func (d *driver) Produce(ctx context.Context, codec string, records []scenario.Record) (map[int]scenario.Ack, error) {
	c, ok := codecs[codec]
	if !ok {
		return nil, fmt.Errorf("unknown codec %q", codec)
	}
	cfg := config("interop-sarama-producer-" + codec)
	cfg.Producer.Compression = c
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Flush.Frequency = 5 * time.Millisecond
	p, err := sarama.NewAsyncProducer([]string{d.args.Bootstrap}, cfg)
	if err != nil {
		return nil, err
	}
	acks := make(map[int]scenario.Ack, len(records))
	var firstErr error
	go func() {
		for _, rec := range records {
			msg := &sarama.ProducerMessage{
				Topic:     d.args.Topic,
				Key:       sarama.StringEncoder(rec.Key),
				Value:     sarama.StringEncoder(rec.Value),
				Timestamp: time.UnixMilli(rec.Timestamp),
				Metadata:  rec.Index,
			}
			for _, h := range rec.Headers {
				msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: []byte(h.Key), Value: []byte(h.Value)})
			}
			p.Input() <- msg
		}
	}()
	for got := 0; got < len(records); got++ {
		select {
		case m := <-p.Successes():
			acks[m.Metadata.(int)] = scenario.Ack{Partition: m.Partition, Offset: m.Offset}
		case e := <-p.Errors():
			if firstErr == nil {
				firstErr = e.Err
			}
		}
	}
	if err := p.Close(); err != nil && firstErr == nil {
		firstErr = err
	}
	if firstErr != nil {
		return nil, fmt.Errorf("produce %s: %w", codec, firstErr)
	}
	return acks, nil
}

func (d *driver) Consume(ctx context.Context, n int, deadline time.Time) (string, *scenario.Unsupported, []scenario.Read, error) {
	const step = "consume_assigned"
	c, err := sarama.NewConsumer([]string{d.args.Bootstrap}, config("interop-sarama-consumer"))
	if err != nil {
		return step, nil, nil, err
	}
	defer c.Close()
	msgs := make(chan *sarama.ConsumerMessage)
	errs := make(chan error, scenario.Partitions)
	for p := int32(0); p < scenario.Partitions; p++ {
		pc, err := c.ConsumePartition(d.args.Topic, p, sarama.OffsetOldest)
		if err != nil {
			return step, nil, nil, err
		}
		defer pc.AsyncClose()
		go func() {
			for m := range pc.Messages() {
				msgs <- m
			}
		}()
		go func() {
			for e := range pc.Errors() {
				errs <- e
			}
		}()
	}
	var reads []scenario.Read
	timeout := time.After(time.Until(deadline))
	for len(reads) < n {
		select {
		case m := <-msgs:
			rd := scenario.Read{Partition: m.Partition, Offset: m.Offset, Key: string(m.Key), Value: string(m.Value), Timestamp: m.Timestamp.UnixMilli()}
			for _, h := range m.Headers {
				rd.Headers = append(rd.Headers, scenario.Header{Key: string(h.Key), Value: string(h.Value)})
			}
			reads = append(reads, rd)
		case err := <-errs:
			return step, nil, reads, err
		case <-timeout:
			return step, nil, reads, nil
		}
	}
	// Drain in the background so the partition consumers can close.
	go func() {
		for range msgs {
		}
	}()
	return step, nil, reads, nil
}

func (d *driver) ListOffsets(ctx context.Context, spec scenario.Spec) (map[int32]int64, error) {
	var at int64
	switch spec.Kind {
	case "earliest":
		at = sarama.OffsetOldest
	case "latest":
		at = sarama.OffsetNewest
	default:
		at = spec.Timestamp
	}
	out := map[int32]int64{}
	for p := int32(0); p < scenario.Partitions; p++ {
		o, err := d.client.GetOffset(d.args.Topic, p, at)
		if err != nil {
			return nil, fmt.Errorf("p%d: %w", p, err)
		}
		out[p] = o
	}
	return out, nil
}

func (d *driver) DeleteTopic(ctx context.Context, topic string) error {
	return d.admin.DeleteTopic(topic)
}

func (d *driver) Close() { _ = d.admin.Close() }

func main() {
	args := scenario.ParseArgs(client)
	cl, err := sarama.NewClient([]string{args.Bootstrap}, config("interop-sarama-admin"))
	if err == nil {
		var admin sarama.ClusterAdmin
		if admin, err = sarama.NewClusterAdminFromClient(cl); err == nil {
			os.Exit(scenario.Run(client, &driver{args: args, client: cl, admin: admin}, args))
		}
	}
	fmt.Fprintf(os.Stderr, "interop (sarama): %v\n", err)
	os.Exit(1)
}
