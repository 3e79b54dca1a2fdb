package scenario

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"time"
)

// The transaction scenario (../../SCENARIO.md, "The transaction scenario"): of N records, [0, N/2)
// are committed in a first transaction, [N/2, 3N/4) aborted in a second, [3N/4, N) committed in a
// third; read_committed consumers must see exactly the committed ones, read_uncommitted ones all,
// and neither a control record. Record i has key k<i % 16> and value "t<i>|c" or "t<i>|a".

// TxnRecord is a record of the transaction scenario.
type TxnRecord struct {
	Index      int
	Key, Value string
}

// TxnDriver is one client library in the transaction scenario.
type TxnDriver interface {
	Info() map[string]any
	CreateTopic(ctx context.Context, topic string, partitions int32) error
	// ProduceTransaction sends the records in one transaction of the driver's transactional
	// producer and commits or aborts it.
	ProduceTransaction(ctx context.Context, records []TxnRecord, commit bool) error
	// Consume reads assigned partitions from the start with "read_committed" or
	// "read_uncommitted" until n values are read (plus a short grace read) or the deadline.
	Consume(ctx context.Context, isolation string, n int, deadline time.Time) ([]string, error)
	DeleteTopic(ctx context.Context, topic string) error
	Close()
}

// ParseTxnArgs parses --bootstrap, --topic and --records.
func ParseTxnArgs(client string) Args {
	fs := flag.NewFlagSet(client, flag.ExitOnError)
	bootstrap := fs.String("bootstrap", "", "bootstrap server host:port (required)")
	topic := fs.String("topic", "", "topic to create, use and delete (required)")
	records := fs.Int("records", 1000, "records in total")
	_ = fs.Parse(os.Args[1:])
	if *bootstrap == "" || *topic == "" {
		fmt.Fprintf(os.Stderr, "interop (%s): --bootstrap and --topic are required\n", client)
		os.Exit(2)
	}
	return Args{Bootstrap: *bootstrap, Topic: *topic, Records: *records}
}

// TxnValue is record i's value.
func TxnValue(i int, commit bool) string {
	if commit {
		return "t" + strconv.Itoa(i) + "|c"
	}
	return "t" + strconv.Itoa(i) + "|a"
}

var txnValue = regexp.MustCompile(`^t(\d+)\|[ca]$`)

// TxnIndexOf is the record index of a value of the scenario, or -1 (a leaked marker, say).
func TxnIndexOf(v string) int {
	m := txnValue.FindStringSubmatch(v)
	if m == nil {
		return -1
	}
	i, _ := strconv.Atoi(m[1])
	return i
}

func txnCompare(values []string, expected []int) []string {
	var problems []string
	want := map[int]bool{}
	for _, i := range expected {
		want[i] = true
	}
	seen := map[int]int{}
	for _, v := range values {
		i := TxnIndexOf(v)
		if i < 0 {
			problems = append(problems, fmt.Sprintf("not a record of the scenario: %q", v))
			continue
		}
		seen[i]++
		if seen[i] == 2 {
			problems = append(problems, fmt.Sprintf("record %d read twice", i))
		}
		if !want[i] {
			problems = append(problems, fmt.Sprintf("record %d (%s) should not be visible", i, v))
		}
	}
	for _, i := range expected {
		if seen[i] == 0 && len(problems) < 50 {
			problems = append(problems, fmt.Sprintf("record %d missing", i))
		}
	}
	return problems
}

// RunTxn runs the transaction scenario and returns the exit code.
func RunTxn(client string, d TxnDriver, a Args) int {
	ctx := context.Background()
	r := &runner{client: client}
	n := a.Records
	r.step("client_info", true, d.Info())
	created := false
	func() {
		defer func() {
			if p := recover(); p != nil {
				r.step("error", false, map[string]any{"error": fmt.Sprint(p)})
			}
		}()
		if err := d.CreateTopic(ctx, a.Topic, Partitions); err != nil {
			r.step("create_topic", false, map[string]any{"error": err.Error()})
			return
		}
		created = true
		r.step("create_topic", true, map[string]any{"topic": a.Topic, "partitions": Partitions})
		parts := []struct {
			step   string
			lo, hi int
			commit bool
		}{{"txn_commit", 0, n / 2, true}, {"txn_abort", n / 2, 3 * n / 4, false}, {"txn_commit_after_abort", 3 * n / 4, n, true}}
		var committed, all []int
		for _, p := range parts {
			var recs []TxnRecord
			for i := p.lo; i < p.hi; i++ {
				recs = append(recs, TxnRecord{Index: i, Key: Key(i), Value: TxnValue(i, p.commit)})
				all = append(all, i)
				if p.commit {
					committed = append(committed, i)
				}
			}
			start := time.Now()
			if err := d.ProduceTransaction(ctx, recs, p.commit); err != nil {
				r.step(p.step, false, map[string]any{"error": err.Error()})
				return
			}
			r.step(p.step, true, map[string]any{"records": len(recs), "ms": time.Since(start).Milliseconds()})
		}
		rc, err := d.Consume(ctx, "read_committed", len(committed), time.Now().Add(60*time.Second))
		r.step("consume_read_committed", err == nil, withError(map[string]any{"records": len(rc)}, err))
		ru, err := d.Consume(ctx, "read_uncommitted", n, time.Now().Add(60*time.Second))
		r.step("consume_read_uncommitted", err == nil, withError(map[string]any{"records": len(ru)}, err))
		p := txnCompare(rc, committed)
		r.step("check_read_committed", len(p) == 0, detail(p, map[string]any{"read": len(rc), "expected": len(committed)}))
		p = txnCompare(ru, all)
		r.step("check_read_uncommitted", len(p) == 0, detail(p, map[string]any{"read": len(ru), "expected": len(all)}))
		var leaked []string
		for _, v := range append(append([]string{}, rc...), ru...) {
			if TxnIndexOf(v) < 0 {
				leaked = append(leaked, strconv.Quote(v))
			}
		}
		r.step("check_no_control_records", len(leaked) == 0, detail(leaked, map[string]any{}))
	}()
	if created {
		if err := d.DeleteTopic(ctx, a.Topic); err != nil {
			r.step("delete_topic", false, map[string]any{"error": err.Error()})
		} else {
			r.step("delete_topic", true, map[string]any{"topic": a.Topic})
		}
	}
	d.Close()
	if r.failed {
		return 1
	}
	return 0
}

func withError(m map[string]any, err error) map[string]any {
	if err != nil {
		m["error"] = err.Error()
	}
	return m
}
