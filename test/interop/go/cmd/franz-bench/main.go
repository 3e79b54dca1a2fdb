// Command franz-bench produces records as fast as franz-go can (acks=all, linger 5 ms,
// uncompressed by default) to measure the broker's produce path rather than the client's: a Go
// client costs far less CPU per record than the JVM tools. It creates the topic, produces
// -records records of -size bytes over -partitions partitions, and prints one JSON line with the
// client's throughput.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	bootstrap := flag.String("bootstrap", "127.0.0.1:9092", "broker host:port")
	topic := flag.String("topic", "bench", "topic (created with -partitions)")
	records := flag.Int("records", 1_000_000, "records to produce")
	size := flag.Int("size", 1024, "value bytes per record")
	partitions := flag.Int("partitions", 8, "partitions")
	codec := flag.String("codec", "none", "none|lz4")
	flag.Parse()

	compression := kgo.NoCompression()
	if *codec == "lz4" {
		compression = kgo.Lz4Compression()
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(*bootstrap),
		kgo.ClientID("franz-bench"),
		kgo.DefaultProduceTopic(*topic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(5*time.Millisecond),
		kgo.ProducerBatchCompression(compression),
		kgo.ProducerBatchMaxBytes(1<<20),
		kgo.MaxBufferedRecords(100_000),
	)
	if err != nil {
		fail(err)
	}
	defer cl.Close()
	ctx := context.Background()
	if resp, err := kadm.NewClient(cl).CreateTopic(ctx, int32(*partitions), 1, nil, *topic); err != nil {
		fail(err)
	} else if resp.Err != nil {
		fail(resp.Err)
	}
	value := make([]byte, *size)
	for i := range value {
		value[i] = byte('a' + i%26)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	wg.Add(*records)
	start := time.Now()
	for i := 0; i < *records; i++ {
		cl.Produce(ctx, &kgo.Record{Value: value}, func(_ *kgo.Record, err error) {
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
			wg.Done()
		})
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	if firstErr != nil {
		fail(firstErr)
	}
	bytes := float64(*records) * float64(*size)
	out, _ := json.Marshal(map[string]any{"records": *records, "bytes": bytes, "seconds": elapsed, "mbPerSec": bytes / 1e6 / elapsed, "recordsPerSec": float64(*records) / elapsed})
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "franz-bench:", err)
	os.Exit(1)
}
