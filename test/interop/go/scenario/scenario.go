// Package scenario runs the interop scenario (../SCENARIO.md) for the Go clients: a program supplies a
// Driver; Run makes the records, runs the steps in order, checks what was read back and prints one
// JSON line per step.
package scenario

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	Partitions = 3
	Keys       = 16
)

var (
	Pad       = strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 2)
	AllCodecs = []string{"none", "gzip", "snappy", "lz4", "zstd"}
)

// Args are the common command-line flags.
type Args struct {
	Bootstrap string
	Topic     string
	Records   int
	Codecs    []string
}

// Header is one record header, in order.
type Header struct{ Key, Value string }

// Record is a record to produce.
type Record struct {
	Index     int
	Key       string
	Value     string
	Headers   []Header
	Timestamp int64
}

// Read is a record read back.
type Read struct {
	Partition int32
	Offset    int64
	Key       string
	Value     string
	Headers   []Header
	Timestamp int64
}

// Ack is where the client reported a record was written.
type Ack struct {
	Partition int32
	Offset    int64
}

// Unsupported names a step the client cannot do, and why.
type Unsupported struct{ Step, Reason string }

// Spec selects what ListOffsets lists: "earliest", "latest", or Timestamp when Kind is "timestamp".
type Spec struct {
	Kind      string
	Timestamp int64
}

// Driver is one client library.
type Driver interface {
	Info() map[string]any
	UnsupportedCodecs() map[string]string
	CreateTopic(ctx context.Context, topic string, partitions int32) error
	Produce(ctx context.Context, codec string, records []Record) (map[int]Ack, error)
	Consume(ctx context.Context, n int, deadline time.Time) (step string, unsupported *Unsupported, reads []Read, err error)
	ListOffsets(ctx context.Context, spec Spec) (map[int32]int64, error)
	DeleteTopic(ctx context.Context, topic string) error
	Close()
}

// ParseArgs parses --bootstrap, --topic, --records and --codecs.
func ParseArgs(client string) Args {
	fs := flag.NewFlagSet(client, flag.ExitOnError)
	bootstrap := fs.String("bootstrap", "", "bootstrap server host:port (required)")
	topic := fs.String("topic", "", "topic to create, use and delete (required)")
	records := fs.Int("records", 10000, "records in total, split over the codecs")
	codecs := fs.String("codecs", strings.Join(AllCodecs, ","), "codecs to produce with")
	_ = fs.Parse(os.Args[1:])
	if *bootstrap == "" || *topic == "" {
		fmt.Fprintf(os.Stderr, "interop (%s): --bootstrap and --topic are required\n", client)
		os.Exit(2)
	}
	return Args{Bootstrap: *bootstrap, Topic: *topic, Records: *records, Codecs: strings.Split(*codecs, ",")}
}

// ModuleVersion is the version of a dependency module compiled into this binary.
func ModuleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "unknown"
}

func Key(i int) string                 { return "k" + strconv.Itoa(i%Keys) }
func Value(i int, codec string) string { return "v" + strconv.Itoa(i) + "|" + codec + "|" + Pad }

type slice struct {
	codec   string
	records []Record
}

func makeRecords(n int, codecs []string, t0 int64) []slice {
	var out []slice
	for c, codec := range codecs {
		lo, hi := n*c/len(codecs), n*(c+1)/len(codecs)
		s := slice{codec: codec}
		for i := lo; i < hi; i++ {
			s.records = append(s.records, Record{
				Index: i, Key: Key(i), Value: Value(i, codec),
				Headers:   []Header{{"idx", strconv.Itoa(i)}, {"codec", codec}},
				Timestamp: t0 + int64(i),
			})
		}
		out = append(out, s)
	}
	return out
}

type runner struct {
	client string
	failed bool
}

func (r *runner) step(name string, ok bool, detail any) {
	if !ok {
		r.failed = true
	}
	r.print(map[string]any{"client": r.client, "step": name, "ok": ok, "detail": detail})
}

func (r *runner) unsupported(u Unsupported) {
	r.print(map[string]any{"client": r.client, "step": u.Step, "ok": false, "unsupported": true, "reason": u.Reason})
}

func (r *runner) print(line map[string]any) {
	b, _ := json.Marshal(line)
	os.Stdout.Write(append(b, '\n'))
}

func detail(problems []string, extra map[string]any) map[string]any {
	if len(problems) > 0 {
		extra["problems"] = len(problems)
		if len(problems) > 10 {
			problems = problems[:10]
		}
		extra["first"] = problems
	}
	return extra
}

// Run runs the scenario and returns the exit code.
func Run(client string, d Driver, a Args) int {
	ctx := context.Background()
	r := &runner{client: client}
	n := a.Records
	t0 := time.Now().Unix()*1000 - 600_000
	r.step("client_info", true, d.Info())
	created := false
	defer d.Close()
	func() {
		defer func() {
			if created {
				if err := d.DeleteTopic(ctx, a.Topic); err != nil {
					r.step("delete_topic", false, map[string]any{"error": err.Error()})
				} else {
					r.step("delete_topic", true, map[string]any{"topic": a.Topic})
				}
			}
		}()
		fail := func(err error) { r.step("error", false, map[string]any{"error": err.Error()}) }
		if err := d.CreateTopic(ctx, a.Topic, Partitions); err != nil {
			r.step("create_topic", false, map[string]any{"error": err.Error()})
			return
		}
		created = true
		r.step("create_topic", true, map[string]any{"topic": a.Topic, "partitions": Partitions})

		acks := map[int]Ack{}
		produced := map[int]string{}
		unsupported := d.UnsupportedCodecs()
		for _, s := range makeRecords(n, a.Codecs, t0) {
			if reason, ok := unsupported[s.codec]; ok {
				r.unsupported(Unsupported{"produce_" + s.codec, reason})
				continue
			}
			start := time.Now()
			got, err := d.Produce(ctx, s.codec, s.records)
			if err != nil {
				r.step("produce_"+s.codec, false, map[string]any{"error": err.Error()})
				return
			}
			for i, ack := range got {
				acks[i] = ack
			}
			for _, rec := range s.records {
				produced[rec.Index] = s.codec
			}
			r.step("produce_"+s.codec, true, map[string]any{"records": len(s.records), "ms": time.Since(start).Milliseconds()})
		}

		start := time.Now()
		stepName, unsup, reads, err := d.Consume(ctx, len(produced), time.Now().Add(60*time.Second))
		if unsup != nil {
			r.unsupported(*unsup)
		}
		if err != nil {
			r.step(stepName, false, map[string]any{"error": err.Error(), "records": len(reads)})
			return
		}
		r.step(stepName, len(reads) == len(produced), map[string]any{"records": len(reads), "expected": len(produced), "ms": time.Since(start).Milliseconds()})

		byPartition := checks(r, reads, produced, t0, acks)
		if err := offsetChecks(ctx, r, d, byPartition, n, t0); err != nil {
			fail(err)
		}
	}()
	if r.failed {
		return 1
	}
	return 0
}

func indexOf(rd Read) (int, bool) {
	for _, h := range rd.Headers {
		if h.Key == "idx" {
			i, err := strconv.Atoi(h.Value)
			return i, err == nil
		}
	}
	return 0, false
}

func checks(r *runner, reads []Read, produced map[int]string, t0 int64, acks map[int]Ack) map[int32][]Read {
	var problems []string
	seen := map[int]bool{}
	for _, rd := range reads {
		i, ok := indexOf(rd)
		codec, known := produced[i]
		if !ok || !known {
			problems = append(problems, fmt.Sprintf("bad idx header at p%d@%d", rd.Partition, rd.Offset))
			continue
		}
		if seen[i] {
			problems = append(problems, fmt.Sprintf("record %d read twice", i))
			continue
		}
		seen[i] = true
		if rd.Key != Key(i) {
			problems = append(problems, fmt.Sprintf("record %d: key %q", i, rd.Key))
		}
		if rd.Value != Value(i, codec) {
			problems = append(problems, fmt.Sprintf("record %d: value %q", i, rd.Value))
		}
		h := rd.Headers
		if len(h) != 2 || h[0].Key != "idx" || h[1].Key != "codec" || h[1].Value != codec {
			problems = append(problems, fmt.Sprintf("record %d: headers %v", i, h))
		}
		if rd.Timestamp != t0+int64(i) {
			problems = append(problems, fmt.Sprintf("record %d: timestamp %d != %d", i, rd.Timestamp, t0+int64(i)))
		}
	}
	for i := range produced {
		if len(problems) >= 20 {
			break
		}
		if !seen[i] {
			problems = append(problems, fmt.Sprintf("record %d missing", i))
		}
	}
	r.step("check_content", len(problems) == 0, detail(problems, map[string]any{"records": len(reads)}))

	problems = nil
	byPartition := map[int32][]Read{}
	for p := int32(0); p < Partitions; p++ {
		byPartition[p] = nil
	}
	for _, rd := range reads {
		byPartition[rd.Partition] = append(byPartition[rd.Partition], rd)
	}
	perPartition := map[string]int{}
	for p, list := range byPartition {
		sort.Slice(list, func(a, b int) bool { return list[a].Offset < list[b].Offset })
		perPartition[strconv.Itoa(int(p))] = len(list)
		expect, last := int64(0), -1
		for _, rd := range list {
			if rd.Offset != expect {
				problems = append(problems, fmt.Sprintf("p%d: offset %d where %d expected", p, rd.Offset, expect))
			}
			expect = rd.Offset + 1
			if i, ok := indexOf(rd); ok {
				if i <= last {
					problems = append(problems, fmt.Sprintf("p%d: record %d after %d", p, i, last))
				}
				last = i
			}
		}
	}
	r.step("check_order", len(problems) == 0, detail(problems, map[string]any{"perPartition": perPartition}))

	problems = nil
	keyPartition := map[string]int32{}
	for _, rd := range reads {
		if prev, ok := keyPartition[rd.Key]; !ok {
			keyPartition[rd.Key] = rd.Partition
		} else if prev != rd.Partition {
			problems = append(problems, fmt.Sprintf("key %s on p%d and p%d", rd.Key, prev, rd.Partition))
		}
		if i, ok := indexOf(rd); ok {
			if a, ok := acks[i]; ok && (a.Partition != rd.Partition || a.Offset != rd.Offset) {
				problems = append(problems, fmt.Sprintf("record %d acked at p%d@%d, read at p%d@%d", i, a.Partition, a.Offset, rd.Partition, rd.Offset))
			}
		}
	}
	r.step("check_key_partition", len(problems) == 0, detail(problems, map[string]any{"keys": len(keyPartition), "acks": len(acks)}))
	return byPartition
}

func jsonOffsets(m map[int32]int64) map[string]int64 {
	out := map[string]int64{}
	for p, o := range m {
		out[strconv.Itoa(int(p))] = o
	}
	return out
}

func offsetChecks(ctx context.Context, r *runner, d Driver, byPartition map[int32][]Read, n int, t0 int64) error {
	earliest, err := d.ListOffsets(ctx, Spec{Kind: "earliest"})
	if err != nil {
		return fmt.Errorf("list earliest offsets: %w", err)
	}
	var problems []string
	for p := int32(0); p < Partitions; p++ {
		if o, ok := earliest[p]; !ok || o != 0 {
			problems = append(problems, fmt.Sprintf("p%d: earliest %d (listed: %v)", p, o, ok))
		}
	}
	r.step("list_offsets_earliest", len(problems) == 0, detail(problems, map[string]any{"offsets": jsonOffsets(earliest)}))

	latest, err := d.ListOffsets(ctx, Spec{Kind: "latest"})
	if err != nil {
		return fmt.Errorf("list latest offsets: %w", err)
	}
	problems = nil
	for p := int32(0); p < Partitions; p++ {
		if o, ok := latest[p]; !ok || o != int64(len(byPartition[p])) {
			problems = append(problems, fmt.Sprintf("p%d: latest %d (listed: %v), expected %d", p, o, ok, len(byPartition[p])))
		}
	}
	r.step("list_offsets_latest", len(problems) == 0, detail(problems, map[string]any{"offsets": jsonOffsets(latest)}))

	problems = nil
	seen := map[string]any{}
	for _, target := range []int64{t0, t0 + int64(n/2), t0 + int64(n) + 1000} {
		got, err := d.ListOffsets(ctx, Spec{Kind: "timestamp", Timestamp: target})
		if err != nil {
			return fmt.Errorf("list offsets for timestamp T0+%d: %w", target-t0, err)
		}
		seen[strconv.FormatInt(target-t0, 10)] = jsonOffsets(got)
		for p := int32(0); p < Partitions; p++ {
			expected := int64(-1)
			for _, rd := range byPartition[p] {
				if rd.Timestamp >= target {
					expected = rd.Offset
					break
				}
			}
			actual, ok := got[p]
			if !ok || !(actual == expected || (expected == -1 && actual == latest[p])) {
				problems = append(problems, fmt.Sprintf("T0+%d p%d: %d (listed: %v), expected %d", target-t0, p, actual, ok, expected))
			}
		}
	}
	r.step("list_offsets_timestamp", len(problems) == 0, detail(problems, map[string]any{"offsets": seen}))
	return nil
}
