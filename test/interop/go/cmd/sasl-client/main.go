// Command sasl-client runs test/interop/sasl-clients.test.ts's franz-go side against a broker with
// a SASL_SSL and a SASL_PLAINTEXT listener and StandardAuthorizer ACLs:
//   - SCRAM-SHA-512 over SASL_SSL (a tls.Config trusting the broker's CA), PLAIN over SASL_PLAINTEXT
//     and, with --oauth-principal, OAUTHBEARER with an unsecured JWS (alg "none", as Kafka's default
//     login module makes it) over SASL_SSL: each produces --records records to its own topic and
//     consumes them back in a group, committing them (steps <mechanism>_produce,
//     <mechanism>_consume_group; the committed offset is read back with an OffsetFetch);
//   - a wrong password, with SCRAM-SHA-512 and with PLAIN: the error franz-go returns (steps
//     wrong_password_scram, wrong_password_plain; detail.error is the Kafka error name);
//   - a user without ACLs producing to a topic: the record's error (step denied_produce);
//   - with --describe-user, a user who may DESCRIBE the topic but not READ it, fetching from it
//     (partition 0 from offset 0, no group): the fetch error (step denied_consume);
//   - with --reauth-bootstrap (a SASL_PLAINTEXT listener with a short connections.max.reauth.ms):
//     one SCRAM-SHA-512 producer sends a record every 100 ms until franz-go has re-authenticated
//     its connections (KIP-368) at least twice (step reauth_produce; detail.reauthentications
//     counts franz-go's "sasl expiry limit reached, reauthenticating" debug logs).
//
// One JSON line per step, as the failover programs print them; exit status 0 when every step ran
// (the test judges each step's detail).
//
//	sasl-client --ssl-bootstrap B --plain-bootstrap B --ca CA.pem --prefix P --user U --password PW
//	            --denied-user U --denied-password PW [--oauth-principal NAME] [--records N]
//	            [--reauth-bootstrap B] [--describe-user U --describe-password PW]
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"minikafka.dev/interop/internal/steps"
)

// client names this program in its JSON step lines (internal/steps), step prints one.
const client steps.Client = "franz-go"

var step = client.Step

// kafkaError is the Kafka error name inside err (e.g. SASL_AUTHENTICATION_FAILED), or "" when
// err carries no Kafka error code.
func kafkaError(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Message
	}
	return ""
}

// produceConsume produces n records (values v0..v<n-1>) and reads them back in a group, committing them.
func produceConsume(label string, common []kgo.Opt, topic, group string, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), steps.Wait)
	defer cancel()
	producer, err := kgo.NewClient(append(common, kgo.ClientID("sasl-"+label+"-producer"), kgo.RequiredAcks(kgo.AllISRAcks()))...)
	if err != nil {
		step(label+"_produce", false, map[string]any{"error": err.Error()})
		return
	}
	records := make([]*kgo.Record, n)
	for i := range records {
		records[i] = &kgo.Record{Topic: topic, Value: []byte(steps.Value(i))}
	}
	acked, errs := 0, []string{}
	for _, r := range producer.ProduceSync(ctx, records...) {
		if r.Err != nil {
			errs = append(errs, steps.ErrText(r.Err))
		} else {
			acked++
		}
	}
	producer.Close()
	step(label+"_produce", len(errs) == 0 && acked == n, map[string]any{"records": n, "acked": acked, "errors": steps.FirstFew(errs)})

	consumer, err := kgo.NewClient(append(common,
		kgo.ClientID("sasl-"+label+"-consumer"),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
	)...)
	if err != nil {
		step(label+"_consume_group", false, map[string]any{"error": err.Error()})
		return
	}
	defer consumer.Close()
	values, problems := []string{}, []string{}
	for len(values) < n && ctx.Err() == nil {
		fetches := consumer.PollFetches(ctx)
		fetches.EachError(func(_ string, _ int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				problems = append(problems, steps.ErrText(err))
			}
		})
		fetches.EachRecord(func(r *kgo.Record) { values = append(values, string(r.Value)) })
	}
	var committed any
	if err := consumer.CommitUncommittedOffsets(ctx); err != nil {
		problems = append(problems, "commit: "+err.Error())
	} else if offsets, err := kadm.NewClient(consumer).FetchOffsets(ctx, group); err != nil {
		problems = append(problems, "fetch offsets: "+err.Error())
	} else if o, ok := offsets.Lookup(topic, 0); ok {
		committed = o.At
	}
	step(label+"_consume_group", steps.InOrder(values, n) && len(problems) == 0, map[string]any{"records": len(values), "values": values, "committed": committed, "problems": steps.FirstFew(problems)})
}

// authError is the error of the first request of a client whose login the broker refuses.
func authError(label string, common []kgo.Opt) {
	ctx, cancel := context.WithTimeout(context.Background(), steps.Wait)
	defer cancel()
	cl, err := kgo.NewClient(append(common, kgo.ClientID("sasl-"+label))...)
	if err == nil {
		defer cl.Close()
		err = cl.Ping(ctx)
	}
	name := kafkaError(err)
	step(label, name == kerr.SaslAuthenticationFailed.Message, map[string]any{"error": name, "message": steps.ErrText(err)})
}

// deniedProduce sends one record as a principal without WRITE (or DESCRIBE) on the topic.
func deniedProduce(common []kgo.Opt, topic string) {
	ctx, cancel := context.WithTimeout(context.Background(), steps.Wait)
	defer cancel()
	cl, err := kgo.NewClient(append(common, kgo.ClientID("sasl-denied-producer"))...)
	if err == nil {
		defer cl.Close()
		err = cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("denied")}).FirstErr()
	}
	name := kafkaError(err)
	step("denied_produce", name == kerr.TopicAuthorizationFailed.Message, map[string]any{"error": name, "message": steps.ErrText(err)})
}

// deniedConsume fetches as a principal with DESCRIBE but not READ on the topic: the first fetch error.
func deniedConsume(common []kgo.Opt, topic string) {
	ctx, cancel := context.WithTimeout(context.Background(), steps.Wait)
	defer cancel()
	cl, err := kgo.NewClient(append(common, kgo.ClientID("sasl-denied-consumer"),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().At(0)}}))...)
	var fetchErr error
	if err != nil {
		fetchErr = err
	} else {
		defer cl.Close()
		for fetchErr == nil && ctx.Err() == nil {
			cl.PollFetches(ctx).EachError(func(_ string, _ int32, err error) {
				if fetchErr == nil && !errors.Is(err, context.DeadlineExceeded) {
					fetchErr = err
				}
			})
		}
	}
	name := kafkaError(fetchErr)
	step("denied_consume", name == kerr.TopicAuthorizationFailed.Message, map[string]any{"error": name, "message": steps.ErrText(fetchErr)})
}

// reauthCounter is a kgo.Logger that counts franz-go's re-authentications (and prints nothing).
type reauthCounter struct{ n atomic.Int64 }

func (*reauthCounter) Level() kgo.LogLevel { return kgo.LogLevelDebug }
func (c *reauthCounter) Log(_ kgo.LogLevel, msg string, _ ...any) {
	if strings.Contains(msg, "reauthenticating") {
		c.n.Add(1)
	}
}

// reauthProduce produces over connections whose SASL sessions expire, until two re-authentications are seen.
func reauthProduce(common []kgo.Opt, topic string) {
	ctx, cancel := context.WithTimeout(context.Background(), steps.Wait)
	defer cancel()
	counter := &reauthCounter{}
	cl, err := kgo.NewClient(append(common, kgo.ClientID("sasl-reauth-producer"), kgo.WithLogger(counter))...)
	if err != nil {
		step("reauth_produce", false, map[string]any{"error": err.Error()})
		return
	}
	defer cl.Close()
	sent, acked, errs := 0, 0, []string{}
	for counter.n.Load() < 2 && ctx.Err() == nil {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte(fmt.Sprintf("r%d", sent))}).FirstErr(); err != nil {
			errs = append(errs, steps.ErrText(err))
		} else {
			acked++
		}
		sent++
		time.Sleep(100 * time.Millisecond)
	}
	reauths := counter.n.Load()
	step("reauth_produce", reauths >= 2 && acked == sent, map[string]any{"records": sent, "acked": acked, "errors": steps.FirstFew(errs), "reauthentications": reauths})
}

func main() {
	f := steps.ParseFlags()
	pool := f.CAPool(client)
	ssl := func(m sasl.Mechanism) []kgo.Opt {
		return []kgo.Opt{kgo.SeedBrokers(steps.Brokers(f.SSLBootstrap)...), kgo.DialTLSConfig(&tls.Config{RootCAs: pool}), kgo.SASL(m)}
	}
	plaintext := func(m sasl.Mechanism) []kgo.Opt {
		return []kgo.Opt{kgo.SeedBrokers(steps.Brokers(f.PlainBootstrap)...), kgo.SASL(m)}
	}
	scram512 := func(u, p string) sasl.Mechanism { return scram.Auth{User: u, Pass: p}.AsSha512Mechanism() }
	plainLogin := func(u, p string) sasl.Mechanism { return plain.Auth{User: u, Pass: p}.AsMechanism() }

	produceConsume("scram", ssl(scram512(f.User, f.Password)), f.Prefix+"-scram", f.Prefix+"-scram-g", f.Records)
	produceConsume("plain", plaintext(plainLogin(f.User, f.Password)), f.Prefix+"-plain", f.Prefix+"-plain-g", f.Records)
	if f.OAuthPrincipal != "" {
		token := oauth.Auth{Token: steps.UnsecuredJWS(f.OAuthPrincipal)}.AsMechanism()
		produceConsume("oauth", ssl(token), f.Prefix+"-oauth", f.Prefix+"-oauth-g", f.Records)
	}
	authError("wrong_password_scram", ssl(scram512(f.User, f.Password+"-wrong")))
	authError("wrong_password_plain", plaintext(plainLogin(f.User, f.Password+"-wrong")))
	deniedProduce(ssl(scram512(f.DeniedUser, f.DeniedPassword)), f.Prefix+"-scram")
	if f.DescribeUser != "" {
		deniedConsume(ssl(scram512(f.DescribeUser, f.DescribePassword)), f.Prefix+"-scram")
	}
	if f.ReauthBootstrap != "" {
		reauthProduce([]kgo.Opt{kgo.SeedBrokers(steps.Brokers(f.ReauthBootstrap)...), kgo.SASL(scram512(f.User, f.Password))}, f.Prefix+"-reauth")
	}
}
