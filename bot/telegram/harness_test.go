package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/bottest"
	"github.com/storybot/storybot/bot/telegram/telegramtest"
	"github.com/storybot/storybot/qa"
)

const (
	testToken  = "123456:AAH-secret-token-0123456789abcdef"
	testSecret = "webhook-Secret_42"
	botName    = "storybot_test_bot"
)

var (
	srcMT   = qa.Source{ID: "mt", Title: "Syria Leader Stresses Ties", Outlet: "The Moscow Times"}
	srcTASS = qa.Source{ID: "tass", Title: "Putin talks to Syria", Outlet: "TASS"}
)

// fakeQA answers from a fixed table, or echoes the question for any
// question starting with "echo". It can hold every question at a gate,
// and panics on "boom".
type fakeQA struct {
	mu      sync.Mutex
	table   map[string][]qa.Answer
	asked   []string
	gate    chan struct{} // nil: answer at once
	entered chan string   // if non-nil, gets each question as Ask starts
}

func newQA() *fakeQA {
	return &fakeQA{table: map[string][]qa.Answer{
		"who is the kremlin spokesman?": {{
			Text:   "Kremlin spokesman Dmitry Peskov called it an \"important trip.\"",
			Source: srcMT, AlsoIn: []qa.Source{srcTASS}, Score: 1,
		}},
	}}
}

func (f *fakeQA) Ask(q string) (qa.Result, error) {
	f.mu.Lock()
	f.asked = append(f.asked, q)
	gate, entered := f.gate, f.entered
	ans := f.table[strings.ToLower(q)]
	f.mu.Unlock()
	if entered != nil {
		entered <- q
	}
	if gate != nil {
		<-gate
	}
	if q == "boom" {
		panic("boom: the core fell over")
	}
	if strings.HasPrefix(q, "echo") {
		ans = []qa.Answer{{Text: "Answer to: " + q, Source: srcTASS, Score: 1}}
	}
	return qa.Result{Question: q, Answers: ans}, nil
}

func (f *fakeQA) Sources() []qa.SourceInfo {
	return []qa.SourceInfo{{Source: srcMT, Sentences: 10}, {Source: srcTASS, Sentences: 8}}
}

func (f *fakeQA) questions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// countMetrics records metric events.
type countMetrics struct {
	mu     sync.Mutex
	kinds  map[string]int
	errors map[string]int
}

func (m *countMetrics) Question(_ string, k bot.Kind, _ time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kinds[k.String()]++
}

func (m *countMetrics) PlatformError(_, kind string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errors[kind]++
}

func (m *countMetrics) errorCount(kind string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.errors[kind]
}

// harness runs an Adapter against a fake Bot API.
type harness struct {
	t       testing.TB
	fake    *telegramtest.Server
	qa      *fakeQA
	metrics *countMetrics
	a       *Adapter
	logs    *bottest.Buffer
	cancel  context.CancelFunc
	done    chan error
	stopped bool
}

type options struct {
	opts  []Option // after testOptions
	limit bot.LimitConfig
	qa    *fakeQA
	// answerer, if set, is the Service's core instead of qa (which it may
	// wrap: h.qa is still qa).
	answerer bot.Answerer
	prep     func(*Adapter) // called before Run
	// wrap, if set, wraps the webhook server's listener (webhookHarness).
	wrap func(net.Listener) net.Listener
}

// testOptions configure an adapter for the fake: short waits, no typing
// action.
func testOptions(fake *telegramtest.Server) []Option {
	return []Option{
		WithAPIURL(fake.URL),
		WithPollTimeout(2 * time.Second),
		WithRequestTimeout(5 * time.Second),
		WithWorkers(4),
		WithQueue(128),
		WithMaxRetries(5),
		WithMaxRetryAfter(time.Minute),
		WithDrainTimeout(10 * time.Second),
		shortBackoff,
	}
}

// shortBackoff makes the back-off after a failed request milliseconds.
func shortBackoff(a *Adapter) {
	a.cfg.RetryBackoff, a.cfg.RetryBackoffMax = time.Millisecond, 5*time.Millisecond
}

// start runs an adapter against fake and waits until it is ready.
func start(t testing.TB, fake *telegramtest.Server, o options) *harness {
	t.Helper()
	if o.qa == nil {
		o.qa = newQA()
	}
	h := &harness{t: t, fake: fake, qa: o.qa, logs: &bottest.Buffer{}, done: make(chan error, 1),
		metrics: &countMetrics{kinds: map[string]int{}, errors: map[string]int{}}}
	var core bot.Answerer = o.qa
	if o.answerer != nil {
		core = o.answerer
	}
	svc := bot.NewService(core, bot.Config{Topic: "the test story", Limit: o.limit}, h.metrics)
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := New(svc, testToken, append(append(testOptions(fake), o.opts...), WithLogger(log))...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.a = a
	if o.prep != nil {
		o.prep(a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- a.Run(ctx) }()
	t.Cleanup(func() {
		if !h.stopped {
			h.stop()
		}
		h.checkNoSecrets()
	})
	deadline := time.After(20 * time.Second)
	for !a.Ready() {
		select {
		case err := <-h.done:
			h.stopped = true
			t.Fatalf("Run returned before ready: %v", err)
		case <-deadline:
			t.Fatal("adapter not ready")
		case <-time.After(time.Millisecond):
		}
	}
	return h
}

// stop cancels Run, as SIGTERM does, and returns its error.
func (h *harness) stop() error {
	h.t.Helper()
	h.stopped = true
	h.cancel()
	select {
	case err := <-h.done:
		return err
	case <-time.After(30 * time.Second):
		h.t.Fatal("Run did not return after cancel")
		return nil
	}
}

// kill stops Run as SIGKILL would: no drain, nothing more confirmed or
// saved. Answers held then are never sent.
func (h *harness) kill() {
	h.t.Helper()
	h.a.killed.Store(true)
	if err := h.stop(); err != nil {
		h.t.Errorf("Run = %v at a kill", err)
	}
}

func (h *harness) checkNoSecrets() {
	h.t.Helper()
	logs := h.logs.String()
	for _, s := range []string{testToken, testSecret, "AAH-secret-token"} {
		if strings.Contains(logs, s) {
			h.t.Errorf("logs contain a secret %q:\n%s", s, logs)
		}
	}
}

// repliesTo returns the messages sent in reply to message id in chat.
func repliesTo(sent []telegramtest.Sent, chat int64, id int) []telegramtest.Sent {
	var out []telegramtest.Sent
	for _, s := range sent {
		if s.ChatID == chat && s.ReplyTo == id {
			out = append(out, s)
		}
	}
	return out
}

// ask sends text in a private chat with user and waits for the reply.
func (h *harness) ask(user int64, text string) telegramtest.Sent {
	h.t.Helper()
	_, id := h.fake.AddMessage(telegramtest.Message{UserID: user, Text: text})
	return h.waitReply(user, id)
}

// waitReply waits for the first reply to message id in chat.
func (h *harness) waitReply(chat int64, id int) telegramtest.Sent {
	h.t.Helper()
	var got []telegramtest.Sent
	h.fake.Wait(h.t, fmt.Sprintf("a reply to message %d in chat %d", id, chat), func() bool {
		got = repliesTo(h.fake.Sent(), chat, id)
		return len(got) > 0
	})
	return got[0]
}

// groupRoute is one message to a group and what its reply must hold; ""
// when the bot must ignore it.
type groupRoute struct {
	text    string
	replyTo int
	want    string
}

// checkGroupRoutes sends each route's message to group from one user,
// then a question from another as a sentinel, and once the sentinel is
// answered checks that each message got one reply holding its want, or
// none.
func (h *harness) checkGroupRoutes(group int64, routes []groupRoute) {
	h.t.Helper()
	var ids []int
	for _, r := range routes {
		_, id := h.fake.AddMessage(telegramtest.Message{ChatID: group, ChatType: "supergroup", UserID: 2, Text: r.text, ReplyTo: r.replyTo})
		ids = append(ids, id)
	}
	_, last := h.fake.AddMessage(telegramtest.Message{ChatID: group, ChatType: "supergroup", UserID: 3, Text: "/ask echo sentinel"})
	h.waitReply(group, last)
	sent := h.fake.Sent()
	for i, r := range routes {
		replies := repliesTo(sent, group, ids[i])
		switch {
		case r.want == "" && len(replies) > 0:
			h.t.Errorf("%q: answered %q, want ignored", r.text, replies[0].Plain)
		case r.want != "" && len(replies) != 1:
			h.t.Errorf("%q: %d replies, want 1", r.text, len(replies))
		case r.want != "" && !strings.Contains(replies[0].Plain, r.want):
			h.t.Errorf("%q: reply %q, want %q in it", r.text, replies[0].Plain, r.want)
		}
	}
}

// entityText returns the text of the first entity of type typ in s.
func entityText(s telegramtest.Sent, typ string) (string, bool) {
	for _, e := range s.Entities {
		if e.Type == typ {
			return telegramtest.Slice(s.Plain, e.Offset, e.Length), true
		}
	}
	return "", false
}
