package discord

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/bottest"
	"github.com/storybot/storybot/bot/discord/discordtest"
	"github.com/storybot/storybot/qa"
)

// answerer is a bot.Answerer with canned results, recording the questions.
// With block set, Ask signals asked and waits for block to close; with hold
// set too, only for the question hold. It panics on the question panicOn.
type answerer struct {
	answer  func(q string) qa.Result
	asked   chan string
	block   chan struct{}
	hold    string
	panicOn string

	mu        sync.Mutex
	questions []string
}

func (a *answerer) Ask(q string) (qa.Result, error) {
	a.mu.Lock()
	a.questions = append(a.questions, q)
	a.mu.Unlock()
	if a.panicOn != "" && q == a.panicOn {
		panic("answerer: cannot take " + q)
	}
	if a.hold == "" || q == a.hold {
		if a.asked != nil {
			a.asked <- q
		}
		if a.block != nil {
			<-a.block
		}
	}
	if a.answer == nil {
		return qa.Result{Question: q}, nil
	}
	return a.answer(q), nil
}

func (a *answerer) Sources() []qa.SourceInfo {
	return []qa.SourceInfo{
		{Source: src1, Sentences: 10},
		{Source: src2, Sentences: 20},
	}
}

func (a *answerer) Questions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.questions...)
}

var (
	src1 = qa.Source{ID: "a", Title: "Putin and al-Sharaa hold first call", Outlet: "Reuters"}
	src2 = qa.Source{ID: "b", Title: "Syria's leader speaks to Moscow", Outlet: "AP"}
)

// fixed answers every question with one quote from src1, also in src2.
func fixed(text string) func(string) qa.Result {
	return func(q string) qa.Result {
		return qa.Result{Question: q, Answers: []qa.Answer{{Text: text, Score: 1, Source: src1, AlsoIn: []qa.Source{src2}}}}
	}
}

func newService(a bot.Answerer) *bot.Service {
	return bot.NewService(a, bot.Config{Topic: "a phone call"}, nil)
}

// counted returns a service over a whose platform errors m counts.
func counted(a bot.Answerer, m *metrics) *bot.Service {
	return bot.NewService(a, bot.Config{Topic: "a phone call"}, m)
}

// metrics is a bot.Metrics counting platform errors by kind.
type metrics struct {
	mu      sync.Mutex
	errs    map[string]int
	changed chan struct{}
}

func newMetrics() *metrics {
	return &metrics{errs: make(map[string]int), changed: make(chan struct{})}
}

func (m *metrics) Question(string, bot.Kind, time.Duration) {}

func (m *metrics) PlatformError(platform, kind string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errs[platform+"/"+kind]++
	close(m.changed)
	m.changed = make(chan struct{})
}

// count returns how often the Discord platform error kind was counted.
func (m *metrics) count(kind string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.errs[platform+"/"+kind]
}

// waitCount waits until kind has been counted at least n times.
func (m *metrics) waitCount(t *testing.T, kind string, n int) {
	t.Helper()
	deadline := time.NewTimer(discordtest.Deadline)
	defer deadline.Stop()
	for {
		m.mu.Lock()
		got, ch := m.errs[platform+"/"+kind], m.changed
		m.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("%s counted %d times within %v, want %d", kind, got, discordtest.Deadline, n)
		}
	}
}

// running is an Adapter being run against a fake Discord.
type running struct {
	a      *Adapter
	cancel context.CancelFunc
	done   chan error
	logs   *bottest.Buffer
}

// testOptions are the settings the adapter needs, at storybot's values.
func testOptions() []Option {
	return []Option{WithWorkers(8), WithQueue(256), WithMaxRetryAfter(time.Minute), WithDrainTimeout(20 * time.Second)}
}

// start runs an Adapter for srv's bot token against srv. The test fails if
// the token shows up in the logs. Cleanup stops the adapter.
func start(t *testing.T, srv *discordtest.Server, svc *bot.Service, opts ...Option) *running {
	t.Helper()
	return startToken(t, srv, srv.Token, svc, opts...)
}

func startToken(t *testing.T, srv *discordtest.Server, token string, svc *bot.Service, opts ...Option) *running {
	t.Helper()
	logs := &bottest.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Short waits first, so a test's own options can override them.
	// A slash command is deferred only when a test asks (withDeferAfter,
	// withHandTimers): the real 1.5 s may pass on a busy machine.
	short := func(a *Adapter) {
		a.reconnectBase = 10 * time.Millisecond
		a.retryBase = time.Millisecond
		a.registerBase = time.Millisecond
		a.afterFunc = func(time.Duration, func()) func() bool { return func() bool { return true } }
	}
	opts = append(append(testOptions(), WithAPIURL(srv.URL()), WithLogger(log), short), opts...)
	a, err := New(svc, token, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{a: a, cancel: cancel, done: make(chan error, 1), logs: logs}
	go func() { r.done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(discordtest.Deadline):
			t.Errorf("Run did not return after cancel")
		}
		if strings.Contains(logs.String(), token) {
			t.Errorf("the bot token appears in the logs:\n%s", strings.ReplaceAll(logs.String(), token, "<TOKEN>"))
		}
		if t.Failed() {
			t.Logf("adapter log:\n%s", logs.String())
		}
	})
	return r
}

// stop cancels the run and returns Run's result.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	return r.wait(t)
}

// wait returns Run's result, failing the test if Run does not return.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(discordtest.Deadline):
		t.Fatalf("Run did not return within %v", discordtest.Deadline)
		return nil
	}
}

// user is a person asking.
var user = discordtest.User{ID: "200000000000000001", Username: "alice"}

// mention returns a guild message that mentions the bot.
func mention(srv *discordtest.Server, id, channel, text string) map[string]any {
	return discordtest.MessageCreate(id, channel, "300000000000000001", user, "<@"+srv.BotID+"> "+text, srv.Bot())
}

// replyTo waits for the next message delivered to channel (failed attempts
// aside) and checks it is a reply to message id that pings no one.
func replyTo(t *testing.T, srv *discordtest.Server, channel, id string) discordtest.Message {
	t.Helper()
	r := srv.WaitRequest(t, discordtest.OK(discordtest.Send(channel)))
	m := discordtest.DecodeMessage(t, r)
	if m.Reference == nil || m.Reference.MessageID != id {
		t.Fatalf("reply %q is not a reply to message %s: reference %+v", m.Text(), id, m.Reference)
	}
	if !m.MentionsInert() {
		t.Errorf("reply to %s can ping: allowed_mentions %s", id, r.Body)
	}
	return m
}

func isErr(err, target error) bool { return errors.Is(err, target) }

// withDeferAfter sets how long a slash command waits for its worker before
// its deferred response, on a real timer.
func withDeferAfter(d time.Duration) Option {
	return func(a *Adapter) { a.deferAfter, a.afterFunc = d, nil }
}

// withTLS makes the adapter trust what cfg trusts (a fake's certificate).
func withTLS(cfg *tls.Config) Option { return func(a *Adapter) { a.tlsConfig = cfg } }

// withProxy sends every REST call and the gateway through the HTTP proxy u.
func withProxy(u *url.URL) Option {
	return func(a *Adapter) { a.proxy = func(*http.Request) (*url.URL, error) { return u, nil } }
}

// withRegisterBase sets the first wait before registering commands again.
func withRegisterBase(d time.Duration) Option { return func(a *Adapter) { a.registerBase = d } }

// handTimer is a deferral timer the test fires by hand.
type handTimer struct {
	d       time.Duration
	f       func()
	stopped atomic.Bool
}

// fire runs the timer's function on the test's goroutine: when it returns,
// the deferred response it may have sent has had its answer.
func (h *handTimer) fire() { h.f() }

// withHandTimers makes the adapter's deferral timers never fire by
// themselves; each, as armed, is sent on the channel returned.
func withHandTimers() (Option, <-chan *handTimer) {
	ch := make(chan *handTimer, 64)
	return func(a *Adapter) {
		a.afterFunc = func(d time.Duration, f func()) func() bool {
			h := &handTimer{d: d, f: f}
			ch <- h
			return func() bool { return !h.stopped.Swap(true) }
		}
	}, ch
}

// nextTimer returns the next deferral timer armed.
func nextTimer(t *testing.T, timers <-chan *handTimer) *handTimer {
	t.Helper()
	select {
	case h := <-timers:
		return h
	case <-time.After(discordtest.Deadline):
		t.Fatalf("no deferral timer armed within %v", discordtest.Deadline)
		return nil
	}
}
