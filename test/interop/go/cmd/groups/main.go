// Command groups runs one consumer group member for test/interop/groups.test.ts, with franz-go or
// sarama: it reports its assignment after every change and each batch of records once committed,
// as JSON lines, and leaves the group when it reads "stop" (or EOF) on stdin.
//
//	groups --client franz|sarama --bootstrap B --topic T --group G [--instance-id I] [--session-timeout-ms N]
//	groups --client kadm --bootstrap B --topic T --group G   (admin steps, one JSON line each)
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

var mu sync.Mutex

func emit(v map[string]any) {
	mu.Lock()
	defer mu.Unlock()
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

type owned struct {
	mu sync.Mutex
	ps map[int32]bool
}

func (o *owned) set(add, remove []int32) {
	o.mu.Lock()
	for _, p := range remove {
		delete(o.ps, p)
	}
	for _, p := range add {
		o.ps[p] = true
	}
	out := []int{}
	for p := range o.ps {
		out = append(out, int(p))
	}
	o.mu.Unlock()
	sort.Ints(out)
	emit(map[string]any{"event": "assigned", "partitions": out})
}

func main() {
	client := flag.String("client", "franz", "franz or sarama")
	bootstrap := flag.String("bootstrap", "", "")
	topic := flag.String("topic", "", "")
	group := flag.String("group", "", "")
	instance := flag.String("instance-id", "", "")
	session := flag.Int("session-timeout-ms", 6000, "")
	flag.Parse()

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		s := bufio.NewScanner(os.Stdin)
		for s.Scan() {
			if s.Text() == "stop" {
				break
			}
		}
		cancel()
	}()
	if *client == "kadm" {
		runKadm(*bootstrap, *topic, *group)
		return
	}
	o := &owned{ps: map[int32]bool{}}
	if *client == "franz" {
		runFranz(ctx, o, *bootstrap, *topic, *group, *instance, *session)
	} else {
		runSarama(ctx, o, *bootstrap, *topic, *group, *instance, *session)
	}
	emit(map[string]any{"event": "closed"})
}

func runFranz(ctx context.Context, o *owned, bootstrap, topic, group, instance string, session int) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(bootstrap),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.SessionTimeout(time.Duration(session) * time.Millisecond),
		kgo.HeartbeatInterval(500 * time.Millisecond),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) { o.set(m[topic], nil) }),
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, m map[string][]int32) { o.set(nil, m[topic]) }),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) { o.set(nil, m[topic]) }),
	}
	if instance != "" {
		opts = append(opts, kgo.InstanceID(instance))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		emit(map[string]any{"event": "error", "error": err.Error()})
		return
	}
	emit(map[string]any{"event": "started"})
	for ctx.Err() == nil {
		pctx, pcancel := context.WithTimeout(ctx, 200*time.Millisecond)
		fs := cl.PollFetches(pctx)
		pcancel()
		recs := fs.Records()
		if len(recs) == 0 {
			continue
		}
		if err := cl.CommitRecords(context.Background(), recs...); err != nil {
			emit(map[string]any{"event": "commit_error", "error": err.Error()})
			continue
		}
		out := [][2]int64{}
		for _, r := range recs {
			out = append(out, [2]int64{int64(r.Partition), r.Offset})
		}
		emit(map[string]any{"event": "records", "records": out})
	}
	cl.Close()
}

type handler struct{ o *owned }

func (h handler) Setup(s sarama.ConsumerGroupSession) error {
	for _, ps := range s.Claims() {
		h.o.set(ps, nil)
	}
	return nil
}

func (h handler) Cleanup(s sarama.ConsumerGroupSession) error {
	for _, ps := range s.Claims() {
		h.o.set(nil, ps)
	}
	return nil
}

func (h handler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		s.MarkMessage(m, "")
		s.Commit()
		emit(map[string]any{"event": "records", "records": [][2]int64{{int64(m.Partition), m.Offset}}})
	}
	return nil
}

func runSarama(ctx context.Context, o *owned, bootstrap, topic, group, instance string, session int) {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_6_0_0
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cfg.Consumer.Group.Session.Timeout = time.Duration(session) * time.Millisecond
	cfg.Consumer.Group.Heartbeat.Interval = 500 * time.Millisecond
	if instance != "" {
		cfg.Consumer.Group.InstanceId = instance
	}
	g, err := sarama.NewConsumerGroup([]string{bootstrap}, group, cfg)
	if err != nil {
		emit(map[string]any{"event": "error", "error": err.Error()})
		return
	}
	emit(map[string]any{"event": "started"})
	for ctx.Err() == nil {
		if err := g.Consume(ctx, []string{topic}, handler{o}); err != nil && ctx.Err() == nil {
			emit(map[string]any{"event": "consume_error", "error": err.Error()})
			time.Sleep(200 * time.Millisecond)
		}
	}
	g.Close()
}

func step(name string, detail string, err error) {
	if err != nil {
		emit(map[string]any{"step": name, "ok": false, "error": errName(err)})
		return
	}
	emit(map[string]any{"step": name, "ok": true, "detail": detail})
}

// errName is the Kafka error name (kerr messages start with it), or the error text.
func errName(err error) string {
	s := err.Error()
	for i, c := range s {
		if c == ':' {
			return s[:i]
		}
	}
	return s
}

// runKadm runs the franz-go admin client's group operations; each is reported as ok or the
// Kafka error name, as Groups.java admin does for the Java Admin client.
func runKadm(bootstrap, topic, group string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		emit(map[string]any{"step": "client", "ok": false, "error": err.Error()})
		return
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx := context.Background()
	listed, err := adm.ListGroups(ctx)
	if err == nil {
		if g, ok := listed[group]; ok {
			step("list", g.GroupType+"/"+g.State, nil)
		} else {
			step("list", "", fmt.Errorf("group not listed"))
		}
	} else {
		step("list", "", err)
	}
	described, err := adm.DescribeConsumerGroups(ctx, group)
	if err == nil {
		err = described[group].Err
	}
	if err == nil {
		d := described[group]
		step("describe_consumer", fmt.Sprintf("%s/%d", d.State, len(d.Members)), nil)
	} else {
		step("describe_consumer", "", err)
	}
	classic, err := adm.DescribeGroups(ctx, group)
	if err == nil {
		err = classic[group].Err
	}
	if err == nil {
		step("describe_classic", fmt.Sprintf("%s/%d", classic[group].State, len(classic[group].Members)), nil)
	} else {
		step("describe_classic", "", err)
	}
	fetched, err := adm.FetchOffsets(ctx, group)
	if err == nil {
		err = fetched.Error()
	}
	n := 0
	fetched.Each(func(kadm.OffsetResponse) { n++ })
	step("list_offsets", fmt.Sprint(n), err)
	var os kadm.Offsets
	os.AddOffset(topic, 0, 0, -1)
	committed, err := adm.CommitOffsets(ctx, group, os)
	if err == nil {
		err = committed.Error()
	}
	step("alter_offsets", "", err)
	var ts kadm.TopicsSet
	ts.Add(topic, 0)
	deleted, err := adm.DeleteOffsets(ctx, group, ts)
	if err == nil {
		err = deleted.Error()
	}
	step("delete_offsets", "", err)
	dg, err := adm.DeleteGroup(ctx, group)
	if err == nil {
		err = dg.Err
	}
	step("delete_group", "", err)
	du, err := adm.DeleteGroup(ctx, group+"-unknown")
	if err == nil {
		err = du.Err
	}
	step("delete_unknown_group", "", err)
}
