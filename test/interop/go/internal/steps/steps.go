// Package steps holds what the SASL interop programs (cmd/sasl-client with franz-go, cmd/sasl-sarama
// with IBM/sarama) share, so that test/interop/sasl-clients.test.ts drives both with one command
// line and judges both by one kind of line: the flags, the JSON step line, the CA pool for SASL_SSL,
// the unsecured OAUTHBEARER token and the small helpers a step's detail is made of.
package steps

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// Wait bounds every step so that a broker that never answers fails the step instead of hanging the
// test; far above what a loaded 2-core machine needs (well under a second each).
const Wait = 25 * time.Second

// Client prints the step lines of one client library (its name is each line's "client").
type Client string

// Step prints one JSON line {"client","step","ok","detail"} and returns ok.
func (c Client) Step(name string, ok bool, detail map[string]any) bool {
	b, _ := json.Marshal(map[string]any{"client": string(c), "step": name, "ok": ok, "detail": detail})
	fmt.Println(string(b))
	return ok
}

// Flags is the command line both programs take (see their package comments).
type Flags struct {
	SSLBootstrap, PlainBootstrap, CAFile, Prefix string
	User, Password, DeniedUser, DeniedPassword   string
	OAuthPrincipal                               string
	Records                                      int
	ReauthBootstrap                              string
	DescribeUser, DescribePassword               string
}

// ParseFlags reads the command line.
func ParseFlags() Flags {
	var f Flags
	flag.StringVar(&f.SSLBootstrap, "ssl-bootstrap", "", "")
	flag.StringVar(&f.PlainBootstrap, "plain-bootstrap", "", "")
	flag.StringVar(&f.CAFile, "ca", "", "")
	flag.StringVar(&f.Prefix, "prefix", "", "")
	flag.StringVar(&f.User, "user", "", "")
	flag.StringVar(&f.Password, "password", "", "")
	flag.StringVar(&f.DeniedUser, "denied-user", "", "")
	flag.StringVar(&f.DeniedPassword, "denied-password", "", "")
	flag.StringVar(&f.OAuthPrincipal, "oauth-principal", "", "")
	flag.IntVar(&f.Records, "records", 20, "")
	flag.StringVar(&f.ReauthBootstrap, "reauth-bootstrap", "", "")
	flag.StringVar(&f.DescribeUser, "describe-user", "", "")
	flag.StringVar(&f.DescribePassword, "describe-password", "", "")
	flag.Parse()
	return f
}

// Brokers splits a bootstrap flag's comma-separated list.
func Brokers(bootstrap string) []string { return strings.Split(bootstrap, ",") }

// CAPool is the broker's CA (--ca) to trust over SASL_SSL. A CA that cannot be read is a failed
// step "ca" and exit status 1: no other step could run.
func (f Flags) CAPool(c Client) *x509.CertPool {
	pem, err := os.ReadFile(f.CAFile)
	pool := x509.NewCertPool()
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		c.Step("ca", false, map[string]any{"error": fmt.Sprintf("cannot read a PEM CA from %s: %v", f.CAFile, err)})
		os.Exit(1)
	}
	return pool
}

// UnsecuredJWS is Kafka's unsecured OAUTHBEARER token (the form its default login module makes):
// header {"alg":"none"}, claims, no signature.
func UnsecuredJWS(principal string) string {
	enc := base64.RawURLEncoding
	now := time.Now().Unix()
	claims, _ := json.Marshal(map[string]any{"sub": principal, "iat": now, "exp": now + 3600})
	return enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString(claims) + "."
}

// Value is the value of the i-th record a produce step sends.
func Value(i int) string { return fmt.Sprintf("v%d", i) }

// InOrder tells whether values are exactly the n records a produce step sent, in order.
func InOrder(values []string, n int) bool {
	ok := len(values) == n
	for i, v := range values {
		ok = ok && v == Value(i)
	}
	return ok
}

// ErrText is err's message, "" for nil.
func ErrText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FirstFew keeps a step's detail short: at most 5 of a list of errors.
func FirstFew(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}
