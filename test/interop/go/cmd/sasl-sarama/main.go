// Command sasl-sarama runs test/interop/sasl-clients.test.ts's IBM/sarama side, with the flags and
// JSON step lines of ../sasl-client (franz-go; both from ../../internal/steps), against a broker
// with a SASL_SSL and a SASL_PLAINTEXT listener and StandardAuthorizer ACLs:
//   - SCRAM-SHA-512 over SASL_SSL (a tls.Config trusting the broker's CA), PLAIN over
//     SASL_PLAINTEXT and, with --oauth-principal, OAUTHBEARER with an unsecured JWS over SASL_SSL:
//     a SyncProducer sends --records records to its own topic, a ConsumerGroup reads them back,
//     marks and commits them (Consumer.Offsets.AutoCommit off, session.Commit), and a
//     ClusterAdmin reads the committed offset back (steps <mechanism>_produce,
//     <mechanism>_consume_group);
//   - a wrong password, with SCRAM-SHA-512 and with PLAIN: the error sarama returns (steps
//     wrong_password_scram, wrong_password_plain; detail.error is the Kafka error name found with
//     errors.Is, detail.message sarama's text);
//   - a user without ACLs producing (step denied_produce); with --describe-user, a user who may
//     DESCRIBE but not READ the topic consuming partition 0 (step denied_consume).
//
// sarama leaves the SCRAM computation to the application (Config.Net.SASL.SCRAMClientGeneratorFunc;
// its examples use xdg-go/scram): here franz-go's SCRAM client, already a dependency, behind
// sarama's SCRAMClient interface. sarama still does all the framing (SaslHandshake v1,
// SaslAuthenticate, its error handling).
//
//	sasl-sarama --ssl-bootstrap B --plain-bootstrap B --ca CA.pem --prefix P --user U --password PW
//	            --denied-user U --denied-password PW [--oauth-principal NAME] [--records N]
//	            [--describe-user U --describe-password PW]
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"minikafka.dev/interop/internal/steps"
)

// client names this program in its JSON step lines (internal/steps), step prints one.
const client steps.Client = "sarama"

var step = client.Step

// kafkaErrors are the Kafka errors a step may end in, by their Kafka names (sarama's KError
// prints a sentence, and its wrapped errors only answer errors.Is).
var kafkaErrors = []struct {
	err  sarama.KError
	name string
}{
	{sarama.ErrSASLAuthenticationFailed, "SASL_AUTHENTICATION_FAILED"},
	{sarama.ErrTopicAuthorizationFailed, "TOPIC_AUTHORIZATION_FAILED"},
	{sarama.ErrGroupAuthorizationFailed, "GROUP_AUTHORIZATION_FAILED"},
	{sarama.ErrUnsupportedSASLMechanism, "UNSUPPORTED_SASL_MECHANISM"},
}

func kafkaError(err error) string {
	for _, k := range kafkaErrors {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return ""
}

// franzScram is franz-go's SCRAM-SHA-512 client as sarama's SCRAMClient.
type franzScram struct {
	session sasl.Session
	first   []byte
	done    bool
}

func (s *franzScram) Begin(user, password, _ string) error {
	session, first, err := scram.Auth{User: user, Pass: password}.AsSha512Mechanism().Authenticate(context.Background(), "")
	s.session, s.first = session, first
	return err
}

// Step("") is sarama's request for the client-first message; then each server message in turn.
func (s *franzScram) Step(challenge string) (string, error) {
	if s.first != nil {
		first := s.first
		s.first = nil
		return string(first), nil
	}
	done, out, err := s.session.Challenge([]byte(challenge))
	s.done = done
	return string(out), err
}

func (s *franzScram) Done() bool { return s.done }

// tokenProvider gives sarama an unsecured OAUTHBEARER token (Kafka's default login module's form).
type tokenProvider struct{ principal string }

func (p tokenProvider) Token() (*sarama.AccessToken, error) {
	return &sarama.AccessToken{Token: steps.UnsecuredJWS(p.principal)}, nil
}

type endpoint struct {
	brokers []string
	tls     *tls.Config // nil: SASL_PLAINTEXT
	login   func(*sarama.Config)
}

func (e endpoint) config(clientID string) *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = clientID
	c.Version = sarama.MaxVersion
	c.Net.SASL.Enable = true
	c.Net.SASL.Handshake = true
	if e.tls != nil {
		c.Net.TLS.Enable = true
		c.Net.TLS.Config = e.tls
	}
	c.Net.DialTimeout = steps.Wait
	c.Metadata.Retry.Max = 1
	e.login(c)
	return c
}

func scramLogin(user, password string) func(*sarama.Config) {
	return func(c *sarama.Config) {
		c.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
		c.Net.SASL.User, c.Net.SASL.Password = user, password
		c.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &franzScram{} }
	}
}

func plainLogin(user, password string) func(*sarama.Config) {
	return func(c *sarama.Config) {
		c.Net.SASL.Mechanism = sarama.SASLTypePlaintext
		c.Net.SASL.User, c.Net.SASL.Password = user, password
	}
}

func oauthLogin(principal string) func(*sarama.Config) {
	return func(c *sarama.Config) {
		c.Net.SASL.Mechanism = sarama.SASLTypeOAuth
		c.Net.SASL.TokenProvider = tokenProvider{principal}
	}
}

// groupHandler reads until n records, marking each; the claim loop ends at n and commits.
type groupHandler struct {
	n      int
	mu     sync.Mutex
	values []string
	done   chan struct{}
	once   sync.Once
}

func (*groupHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (*groupHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *groupHandler) ConsumeClaim(session sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		h.mu.Lock()
		h.values = append(h.values, string(m.Value))
		full := len(h.values) >= h.n
		h.mu.Unlock()
		session.MarkMessage(m, "")
		if full {
			session.Commit()
			h.once.Do(func() { close(h.done) })
			return nil
		}
	}
	return nil
}

func produceConsume(label string, e endpoint, topic, group string, n int) {
	cfg := e.config("sasl-" + label + "-producer")
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	producer, err := sarama.NewSyncProducer(e.brokers, cfg)
	if err != nil {
		step(label+"_produce", false, map[string]any{"error": kafkaError(err), "message": steps.ErrText(err)})
		return
	}
	msgs := make([]*sarama.ProducerMessage, n)
	for i := range msgs {
		msgs[i] = &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(steps.Value(i))}
	}
	acked, errs := n, []string{}
	if err := producer.SendMessages(msgs); err != nil {
		var pes sarama.ProducerErrors
		if errors.As(err, &pes) {
			acked -= len(pes)
			for _, pe := range pes {
				errs = append(errs, steps.ErrText(pe.Err))
			}
		} else {
			acked, errs = 0, []string{steps.ErrText(err)}
		}
	}
	_ = producer.Close()
	step(label+"_produce", len(errs) == 0 && acked == n, map[string]any{"records": n, "acked": acked, "errors": steps.FirstFew(errs)})

	ccfg := e.config("sasl-" + label + "-consumer")
	ccfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	ccfg.Consumer.Offsets.AutoCommit.Enable = false
	ccfg.Consumer.Return.Errors = true
	client, err := sarama.NewClient(e.brokers, ccfg)
	if err != nil {
		step(label+"_consume_group", false, map[string]any{"error": kafkaError(err), "message": steps.ErrText(err)})
		return
	}
	defer client.Close()
	cg, err := sarama.NewConsumerGroupFromClient(group, client)
	if err != nil {
		step(label+"_consume_group", false, map[string]any{"error": kafkaError(err), "message": steps.ErrText(err)})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), steps.Wait)
	defer cancel()
	h := &groupHandler{n: n, done: make(chan struct{})}
	problems := []string{}
	var pmu sync.Mutex
	go func() {
		for err := range cg.Errors() {
			pmu.Lock()
			problems = append(problems, steps.ErrText(err))
			pmu.Unlock()
		}
	}()
	consumed := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			if err := cg.Consume(ctx, []string{topic}, h); err != nil {
				consumed <- err
				return
			}
			select {
			case <-h.done:
				consumed <- nil
				return
			default:
			}
		}
		consumed <- ctx.Err()
	}()
	select {
	case <-h.done:
	case err := <-consumed:
		if err != nil {
			pmu.Lock()
			problems = append(problems, "consume: "+steps.ErrText(err))
			pmu.Unlock()
		}
	}
	cancel()
	_ = cg.Close()
	var committed any
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err == nil {
		var res *sarama.OffsetFetchResponse
		if res, err = admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {0}}); err == nil {
			if b := res.GetBlock(topic, 0); b != nil {
				committed = b.Offset
			}
		}
	}
	pmu.Lock()
	defer pmu.Unlock()
	if err != nil {
		problems = append(problems, "committed offset: "+steps.ErrText(err))
	}
	h.mu.Lock()
	values := append([]string{}, h.values...)
	h.mu.Unlock()
	step(label+"_consume_group", steps.InOrder(values, n) && len(problems) == 0, map[string]any{"records": len(values), "values": values, "committed": committed, "problems": steps.FirstFew(problems)})
}

// authError is what sarama returns when the broker refuses its login: NewClient's error.
func authError(label string, e endpoint) {
	client, err := sarama.NewClient(e.brokers, e.config("sasl-"+label))
	if err == nil {
		_ = client.Close()
	}
	name := kafkaError(err)
	step(label, name == "SASL_AUTHENTICATION_FAILED", map[string]any{"error": name, "message": steps.ErrText(err)})
}

// deniedProduce sends one record as a principal without WRITE (or DESCRIBE) on the topic.
func deniedProduce(e endpoint, topic string) {
	cfg := e.config("sasl-denied-producer")
	cfg.Producer.Return.Successes = true
	cfg.Producer.Retry.Max = 0
	producer, err := sarama.NewSyncProducer(e.brokers, cfg)
	if err == nil {
		_, _, err = producer.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder("denied")})
		_ = producer.Close()
	}
	name := kafkaError(err)
	step("denied_produce", name == "TOPIC_AUTHORIZATION_FAILED", map[string]any{"error": name, "message": steps.ErrText(err)})
}

// deniedConsume reads partition 0 as a principal with DESCRIBE but not READ: the first error.
func deniedConsume(e endpoint, topic string) {
	cfg := e.config("sasl-denied-consumer")
	cfg.Consumer.Return.Errors = true
	consumer, err := sarama.NewConsumer(e.brokers, cfg)
	var fetchErr error
	if err != nil {
		fetchErr = err
	} else {
		defer consumer.Close()
		pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
		if err != nil {
			fetchErr = err
		} else {
			defer pc.Close()
			select {
			case ce := <-pc.Errors():
				fetchErr = ce.Err
			case m := <-pc.Messages():
				fetchErr = fmt.Errorf("read a record at offset %d", m.Offset)
			case <-time.After(steps.Wait):
				fetchErr = errors.New("no error and no record")
			}
		}
	}
	name := kafkaError(fetchErr)
	step("denied_consume", name == "TOPIC_AUTHORIZATION_FAILED", map[string]any{"error": name, "message": steps.ErrText(fetchErr)})
}

func main() {
	// The command line of ../sasl-client; --reauth-bootstrap is accepted and not used (sarama's
	// re-authentication is not checked).
	f := steps.ParseFlags()
	pool := f.CAPool(client)
	ssl := func(login func(*sarama.Config)) endpoint {
		return endpoint{brokers: steps.Brokers(f.SSLBootstrap), tls: &tls.Config{RootCAs: pool}, login: login}
	}
	plaintext := func(login func(*sarama.Config)) endpoint {
		return endpoint{brokers: steps.Brokers(f.PlainBootstrap), login: login}
	}

	produceConsume("scram", ssl(scramLogin(f.User, f.Password)), f.Prefix+"-scram", f.Prefix+"-scram-g", f.Records)
	produceConsume("plain", plaintext(plainLogin(f.User, f.Password)), f.Prefix+"-plain", f.Prefix+"-plain-g", f.Records)
	if f.OAuthPrincipal != "" {
		produceConsume("oauth", ssl(oauthLogin(f.OAuthPrincipal)), f.Prefix+"-oauth", f.Prefix+"-oauth-g", f.Records)
	}
	authError("wrong_password_scram", ssl(scramLogin(f.User, f.Password+"-wrong")))
	authError("wrong_password_plain", plaintext(plainLogin(f.User, f.Password+"-wrong")))
	deniedProduce(ssl(scramLogin(f.DeniedUser, f.DeniedPassword)), f.Prefix+"-scram")
	if f.DescribeUser != "" {
		deniedConsume(ssl(scramLogin(f.DescribeUser, f.DescribePassword)), f.Prefix+"-scram")
	}
}
