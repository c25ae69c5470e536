package discord

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// recorder is an HTTP server answering with the statuses in plan, in
// order (200 once the plan is used up), and recording what it got.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	got  []*http.Request
	body [][]byte
	at   []time.Time
	plan []func(w http.ResponseWriter)
}

func newRecorder(t *testing.T, plan ...func(w http.ResponseWriter)) *recorder {
	rec := &recorder{plan: plan}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.got = append(rec.got, r)
		rec.body = append(rec.body, b)
		rec.at = append(rec.at, time.Now())
		var step func(http.ResponseWriter)
		if len(rec.plan) > 0 {
			step, rec.plan = rec.plan[0], rec.plan[1:]
		}
		rec.mu.Unlock()
		if step != nil {
			step(w)
			return
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(rec.Close)
	return rec
}

// log returns what the server received so far.
func (rec *recorder) log() ([]*http.Request, [][]byte, []time.Time) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]*http.Request(nil), rec.got...), append([][]byte(nil), rec.body...), append([]time.Time(nil), rec.at...)
}

func status(code int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func newTestTransport(t *testing.T, base string) *transport {
	t.Helper()
	tr, err := newTransport(discordgo.EndpointAPI, base, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tr.backoff = time.Millisecond
	return tr
}

func post(t *testing.T, tr *transport, url, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot secret")
	return (&http.Client{Transport: tr}).Do(req)
}

func TestTransportRewritesToBase(t *testing.T) {
	rec := newRecorder(t)
	tr := newTestTransport(t, rec.URL+"/fake/api/")
	resp, err := post(t, tr, discordgo.EndpointChannelMessages("42")+"?wait=true", `{"content":"hi"}`)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got, body, _ := rec.log()
	r := got[0]
	if r.URL.Path != "/fake/api/channels/42/messages" || r.URL.RawQuery != "wait=true" {
		t.Errorf("request went to %s?%s, want /fake/api/channels/42/messages?wait=true", r.URL.Path, r.URL.RawQuery)
	}
	if r.Host != rec.Listener.Addr().String() {
		t.Errorf("Host header %q, want the configured host", r.Host)
	}
	if r.Header.Get("Authorization") != "Bot secret" || string(body[0]) != `{"content":"hi"}` {
		t.Errorf("headers or body not passed through: %v %q", r.Header, body[0])
	}

	if _, err := post(t, tr, "https://cdn.discordapp.com/x", ""); err == nil {
		t.Error("a request outside the API base went through")
	}
}

func TestTransportRetriesRateLimit(t *testing.T) {
	rec := newRecorder(t,
		status(429, `{"message":"You are being rate limited.","retry_after":0.05,"global":false}`),
		status(429, `{"retry_after":0.05}`),
	)
	tr := newTestTransport(t, rec.URL)
	var waits []time.Duration
	tr.onRetry = func(kind string, d time.Duration) { waits = append(waits, d) }
	resp, err := post(t, tr, discordgo.EndpointAPI+"channels/1/messages", `{"content":"again"}`)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got, bodies, at := rec.log()
	if resp.StatusCode != 200 || len(got) != 3 {
		t.Fatalf("status %d after %d requests, want 200 after 3", resp.StatusCode, len(got))
	}
	for i, b := range bodies {
		if string(b) != `{"content":"again"}` {
			t.Errorf("attempt %d sent body %q", i, b)
		}
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < 50*time.Millisecond {
			t.Errorf("attempt %d came %v after the 429, before retry_after", i, gap)
		}
	}
	if len(waits) != 2 || waits[0] != 50*time.Millisecond {
		t.Errorf("retry waits %v, want two of 50ms", waits)
	}
}

func TestTransportGlobalRateLimitHoldsOtherRequests(t *testing.T) {
	rec := newRecorder(t, status(429, `{"retry_after":0.1,"global":true}`))
	tr := newTestTransport(t, rec.URL)
	resp, err := post(t, tr, discordgo.EndpointAPI+"channels/1/messages", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A request to another route, after the global 429, also waits.
	tr.mu.Lock()
	until := tr.globalUntil
	tr.mu.Unlock()
	resp, err = post(t, tr, discordgo.EndpointAPI+"channels/2/messages", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, _, at := rec.log()
	if last := at[len(at)-1]; last.Before(until) {
		t.Errorf("request to another route sent %v before the global limit ended", until.Sub(last))
	}
}

// Once shutdown has begun, a wait that would outlast the grace is given up
// at once, and one that ends within it is waited out.
func TestTransportDrainEndsLongWaitOnly(t *testing.T) {
	rec := newRecorder(t, status(429, `{"retry_after":3600}`))
	tr := newTestTransport(t, rec.URL)
	tr.maxWait = 2 * time.Hour
	waiting := make(chan struct{})
	tr.onRetry = func(string, time.Duration) { close(waiting) }
	done := make(chan error, 1)
	go func() {
		_, err := post(t, tr, discordgo.EndpointAPI+"channels/1/messages", `{}`)
		done <- err
	}()
	<-waiting
	tr.drain(time.Now().Add(time.Minute))
	select {
	case err := <-done:
		if !errors.Is(err, errStopping) {
			t.Errorf("err = %v, want errStopping", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the drain did not end the hour-long rate-limit wait")
	}

	rec = newRecorder(t, status(429, `{"retry_after":0.05}`))
	tr = newTestTransport(t, rec.URL)
	tr.drain(time.Now().Add(time.Hour))
	resp, err := post(t, tr, discordgo.EndpointAPI+"channels/1/messages", `{}`)
	if err != nil {
		t.Fatalf("a 50ms wait within the grace: %v, want it waited out", err)
	}
	resp.Body.Close()
	if got, _, _ := rec.log(); resp.StatusCode != 200 || len(got) != 2 {
		t.Errorf("status %d after %d requests, want 200 after 2", resp.StatusCode, len(got))
	}
}

func TestTransportContextEndsRateLimitWait(t *testing.T) {
	rec := newRecorder(t, status(429, `{"retry_after":3600}`))
	tr := newTestTransport(t, rec.URL)
	tr.maxWait = 2 * time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan struct{})
	tr.onRetry = func(string, time.Duration) { close(waiting) }
	go func() { <-waiting; cancel() }()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, discordgo.EndpointGateway, nil)
	_, err := (&http.Client{Transport: tr}).Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestTransportServerErrorsBounded(t *testing.T) {
	fail := status(503, `{"message":"unavailable"}`)
	rec := newRecorder(t, fail, fail, fail, fail, fail)
	tr := newTestTransport(t, rec.URL)
	resp, err := post(t, tr, discordgo.EndpointAPI+"channels/1/messages", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got, _, _ := rec.log(); resp.StatusCode != 503 || len(got) != 4 || string(body) != `{"message":"unavailable"}` {
		t.Errorf("got %d %q after %d requests, want the 503 after 4", resp.StatusCode, body, len(got))
	}

	rec = newRecorder(t, status(502, ""), status(500, ""))
	tr = newTestTransport(t, rec.URL)
	resp, err = post(t, tr, discordgo.EndpointAPI+"channels/1/messages", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, _, _ := rec.log(); resp.StatusCode != 200 || len(got) != 3 {
		t.Errorf("status %d after %d requests, want 200 after 3", resp.StatusCode, len(got))
	}
}

func TestTransportDefaultBaseIsV10(t *testing.T) {
	tr, err := newTransport(discordgo.EndpointAPI, DefaultAPIURL, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(discordgo.EndpointGateway)
	got, err := tr.rewrite(u)
	if err != nil || got.String() != "https://discord.com/api/v10/gateway" {
		t.Errorf("rewrite(%s) = %v, %v; want https://discord.com/api/v10/gateway", u, got, err)
	}
}

func TestTransportInteractionRoutesSkipGlobalLimit(t *testing.T) {
	rec := newRecorder(t)
	tr := newTestTransport(t, rec.URL)
	tr.maxWait = 2 * time.Hour
	tr.globalUntil = time.Now().Add(time.Hour)
	do := func(ctx context.Context, method, url string) error {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewBufferString(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	// Under a global limit an hour long, a channel message waits (here,
	// for a context already cancelled)...
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := do(cancelled, http.MethodPost, discordgo.EndpointChannelMessages("1")); !errors.Is(err, context.Canceled) {
		t.Errorf("channel message under a global limit: %v, want to wait (context.Canceled)", err)
	}
	// ...but an interaction's response, edits and follow-ups do not.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, r := range []struct{ method, url string }{
		{http.MethodPost, discordgo.EndpointInteractionResponse("5", "tok")},
		{http.MethodPatch, discordgo.EndpointInteractionResponseActions("1", "tok")},
		{http.MethodPost, discordgo.EndpointFollowupMessage("1", "tok") + "?wait=true"},
	} {
		if err := do(ctx, r.method, r.url); err != nil {
			t.Errorf("%s %s under a global limit: %v, want sent at once", r.method, r.url, err)
		}
	}
	if got, _, _ := rec.log(); len(got) != 3 {
		t.Errorf("%d requests reached the server, want the 3 interaction requests", len(got))
	}
}

// A 200 means Discord took the request: it is never sent again, whatever
// its body, even one that cannot be decoded.
func TestTransportNeverRetriesOK(t *testing.T) {
	rec := newRecorder(t, status(200, `{"id": "7000`))
	tr := newTestTransport(t, rec.URL)
	resp, err := post(t, tr, discordgo.EndpointChannelMessages("1"), `{"content":"once"}`)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, _, _ := rec.log(); resp.StatusCode != 200 || len(got) != 1 {
		t.Errorf("status %d after %d requests, want the 200 after 1", resp.StatusCode, len(got))
	}
}

// The rate-limit headers are kept by the transport and taken out of the
// response, so discordgo never sleeps on them: after a response that
// empties a route's bucket, the next request on the route waits for the
// reset, and one on another route does not.
func TestTransportKeepsBucketLimits(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter) {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset-After", "0.05")
		w.Header().Set("X-RateLimit-Reset", "1900000000")
		w.Write([]byte(`{}`))
	})
	tr := newTestTransport(t, rec.URL)
	var waits []string
	tr.onRetry = func(kind string, d time.Duration) { waits = append(waits, kind) }
	resp, err := post(t, tr, discordgo.EndpointChannelMessages("1"), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, h := range []string{"X-RateLimit-Remaining", "X-RateLimit-Reset-After", "X-RateLimit-Reset"} {
		if v := resp.Header.Get(h); v != "" {
			t.Errorf("%s: %q reached discordgo", h, v)
		}
	}
	for _, u := range []string{discordgo.EndpointChannelMessages("2"), discordgo.EndpointChannelMessages("1")} {
		resp, err := post(t, tr, u, `{}`)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	_, _, at := rec.log()
	if len(waits) != 1 || waits[0] != "rate_limit_wait" {
		t.Errorf("waits %q, want one rate_limit_wait: the same route's, not the other's", waits)
	}
	if gap := at[2].Sub(at[0]); gap < 50*time.Millisecond {
		t.Errorf("the route's next request went %v after the response that emptied its bucket, before the reset", gap)
	}
}
