package telegram

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storybot/storybot/bot/bottest"
	"github.com/storybot/storybot/bot/telegram/telegramtest"
)

// TestBusyGroupDoesNotDelayOthers: a group floods the bot while Telegram
// holds the bot's replies there in a 30 s 429 (a group gets about 20
// messages a minute). Fifty private chats asking meanwhile are all
// answered while the group's retry_after still runs: the 429 is waited out
// 30 s after it came, and the wait below fails long before that.
func TestBusyGroupDoesNotDelayOthers(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	fake.Fail("sendMessage", telegramtest.TooManyRequests(30))
	h := start(t, fake, options{opts: []Option{
		WithWorkers(4), WithQueue(16),
		WithDrainTimeout(time.Millisecond), // the group's answers are given up at the end
	}})
	const group = -3003
	for i := range 40 {
		fake.AddMessage(telegramtest.Message{ChatID: group, ChatType: "supergroup", UserID: int64(1 + i%5), Text: fmt.Sprintf("/ask echo %d", i)})
	}
	fake.Wait(t, "the 429 on the group's first answer", func() bool { return fake.Faults("sendMessage") == 0 })

	want := map[int64]int{}
	for i := range 50 {
		chat := int64(500 + i)
		_, want[chat] = fake.AddMessage(telegramtest.Message{UserID: chat, Text: fmt.Sprintf("echo private %d", i)})
	}
	fake.Wait(t, "an answer in each of 50 private chats", func() bool {
		sent := fake.Sent()
		for chat, id := range want {
			if len(repliesTo(sent, chat, id)) == 0 {
				return false
			}
		}
		return true
	})
	for _, s := range fake.Sent() {
		if s.ChatID == group {
			t.Fatalf("the group got %q before its 429 was over", s.Plain)
		}
	}
	if h.metrics.errorCount("busy") == 0 {
		t.Error("the group's refused messages were not counted as busy")
	}
	h.stop()
}

// TestBusyChatToldOnce: a chat asking faster than its share of the queue
// gets its questions answered up to that share and one "busy" notice for
// the rest, after the answers; the refused updates are logged, counted and
// confirmed (told is done), not dropped in silence.
func TestBusyChatToldOnce(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	f := newQA()
	f.gate = make(chan struct{})
	f.entered = make(chan string, 100)
	h := start(t, fake, options{qa: f, opts: []Option{WithWorkers(4), WithQueue(16)}})
	const group, n = -4004, 20
	var ids []int
	var last int64
	for i := range n {
		var id int
		last, id = fake.AddMessage(telegramtest.Message{ChatID: group, ChatType: "group", UserID: 7, Text: fmt.Sprintf("/ask echo %d", i)})
		ids = append(ids, id)
	}
	<-f.entered
	// Nothing is answered before the gate opens: the chat holds its half
	// of the queue (8), and the rest are refused.
	const held = 8
	waitFor(t, func() bool { return h.metrics.errorCount("busy") == n-held })
	close(f.gate)
	fake.Wait(t, "every update confirmed", func() bool { return fake.Pending() == 0 && fake.SentCount() > 0 })

	sent := fake.Sent()
	answered, notices := 0, 0
	refused := -1
	for i, id := range ids {
		r := repliesTo(sent, group, id)
		switch {
		case len(r) == 1 && strings.Contains(r[0].Plain, "Answer to"):
			answered++
			if refused >= 0 {
				t.Errorf("message %d answered after message %d was refused: out of order", i, refused)
			}
		case len(r) == 1 && strings.Contains(r[0].Plain, "busy"):
			notices++
			refused = i
		case len(r) > 1:
			t.Errorf("message %d got %d replies", i, len(r))
		case refused < 0:
			refused = i // refused with the first: the notice names it
		}
	}
	if answered != held || notices != 1 {
		t.Errorf("%d of %d answered, %d busy notices; want %d answered and one notice for the rest", answered, n, notices, held)
	}
	if got := h.metrics.errorCount("busy"); got != n-answered {
		t.Errorf("busy counted %d times, want %d (one per refused update)", got, n-answered)
	}
	if !strings.Contains(h.logs.String(), "busy") {
		t.Errorf("no log of the refusal:\n%s", h.logs.String())
	}
	if o := fake.Offsets(); o[len(o)-1] <= last {
		t.Errorf("offsets %v: the refused updates were never confirmed", o)
	}
}

// TestSendMalformed200NotRetried: a sendMessage answered 200 with a body cut
// short was carried out by Telegram; sending it again would post it twice.
func TestSendMalformed200NotRetried(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	fake.Fail("sendMessage", telegramtest.Malformed)
	h := start(t, fake, options{})
	_, id := fake.AddMessage(telegramtest.Message{UserID: 33, Text: "echo once"})
	h.ask(33, "echo after")
	if r := repliesTo(fake.Sent(), 33, id); len(r) != 1 {
		t.Errorf("the question got %d replies, want 1", len(r))
	}
	if n := h.metrics.errorCount("malformed"); n != 1 {
		t.Errorf("malformed counted %d times, want 1", n)
	}
	if !strings.Contains(h.logs.String(), "not retried") {
		t.Errorf("no log of the unreadable response:\n%s", h.logs.String())
	}
}

// webhookHarness runs the adapter in webhook mode on a loopback listener
// and returns the base URL Telegram would post to.
func webhookHarness(t *testing.T, fake *telegramtest.Server, o options) (*harness, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.wrap != nil {
		ln = o.wrap(ln)
	}
	o.opts = append([]Option{
		WithWebhook("https://bot.example.com/hooks/telegram", testSecret),
		WithWebhookListener(ln),
		WithWebhookMaxConnections(40),
	}, o.opts...)
	return start(t, fake, o), "http://" + ln.Addr().String()
}

// TestWebhookRefusesOversizedAndMalformed: a body over the limit gets 413
// and a body that is not an update 400, not a 200 that drops it; the log
// gives the size of a malformed body, never its content.
func TestWebhookRefusesOversizedAndMalformed(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	h, base := webhookHarness(t, fake, options{})
	ctx := context.Background()

	big := []byte(`{"update_id":1,"message":{"text":"` + strings.Repeat("x", 1<<20) + `"}}`)
	if status, err := fake.PostWebhookBody(ctx, base, testSecret, big); err != nil || status != 413 {
		t.Errorf("a %d-byte body: status %d, %v; want 413", len(big), status, err)
	}
	bad := []byte(`{"update_id":2,"message":{"text":"private words of a user` + strings.Repeat(" and more", 1000))
	if status, err := fake.PostWebhookBody(ctx, base, testSecret, bad); err != nil || status != 400 {
		t.Errorf("a malformed body: status %d, %v; want 400", status, err)
	}
	logs := h.logs.String()
	if strings.Contains(logs, "private words") || strings.Contains(logs, "and more and more") {
		t.Errorf("the malformed body is in the log:\n%.2000s", logs)
	}
	if !strings.Contains(logs, fmt.Sprintf(`"bytes":%d`, len(bad))) {
		t.Errorf("the log does not give the malformed body's size %d:\n%.2000s", len(bad), logs)
	}
	// The bot still answers.
	_, id := fake.AddMessage(telegramtest.Message{UserID: 34, Text: "echo still"})
	if n, err := fake.DeliverWebhook(ctx, base); err != nil || n != 1 {
		t.Fatalf("delivered %d, %v", n, err)
	}
	h.waitReply(34, id)
}

// TestWebhookShutdown: after SIGTERM a delivery gets 503, so Telegram
// keeps it and delivers it again, and the updates taken before the signal
// are answered. What the drain time cuts short is logged as lost, not as
// coming back on restart: Telegram got its 200 for it.
func TestWebhookShutdown(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	f := newQA()
	f.gate = make(chan struct{})
	f.entered = make(chan string, 100)
	h, base := webhookHarness(t, fake, options{qa: f})
	ctx := context.Background()
	ids := map[int64][]int{}
	for i := range 3 {
		_, id := fake.AddMessage(telegramtest.Message{UserID: int64(35 + i), Text: fmt.Sprintf("echo %d", i)})
		ids[int64(35+i)] = append(ids[int64(35+i)], id)
	}
	if n, err := fake.DeliverWebhook(ctx, base); err != nil || n != 3 {
		t.Fatalf("delivered %d, %v", n, err)
	}
	<-f.entered
	h.cancel() // SIGTERM
	waitFor(t, func() bool { return !h.a.Ready() })
	_, late := fake.AddMessage(telegramtest.Message{UserID: 39, Text: "echo late"})
	n, err := fake.DeliverWebhook(ctx, base)
	if n != 0 || err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("a delivery after SIGTERM: delivered %d, %v; want a 503", n, err)
	}
	close(f.gate)
	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	checkExactlyOnce(t, fake.Sent(), ids)
	if r := repliesTo(fake.Sent(), 39, late); len(r) != 0 {
		t.Errorf("the update refused with 503 was answered: %+v", r)
	}
	if fake.Pending() != 1 {
		t.Errorf("%d updates left with Telegram, want the late one", fake.Pending())
	}

	// A drain cut short in webhook mode loses the answer: the log says so.
	fake2 := telegramtest.New(t, testToken)
	f2 := newQA()
	f2.gate = make(chan struct{})
	f2.entered = make(chan string, 1)
	h2, base2 := webhookHarness(t, fake2, options{qa: f2, opts: []Option{WithDrainTimeout(time.Millisecond)}})
	fake2.AddMessage(telegramtest.Message{UserID: 40, Text: "echo cut"})
	if n, err := fake2.DeliverWebhook(ctx, base2); err != nil || n != 1 {
		t.Fatalf("delivered %d, %v", n, err)
	}
	<-f2.entered
	h2.cancel()
	waitFor(t, func() bool { return strings.Contains(h2.logs.String(), "drain time is up") })
	close(f2.gate)
	h2.stop()
	logs := h2.logs.String()
	if strings.Contains(logs, "restart gets") || !strings.Contains(logs, "lost") {
		t.Errorf("the drain log in webhook mode must say the answers are lost:\n%s", logs)
	}
}

// receive takes n values from c, failing after a deadline.
func receive[T any](t *testing.T, c <-chan T, n int) {
	t.Helper()
	deadline := time.NewTimer(telegramtest.Stall)
	defer deadline.Stop()
	for range n {
		select {
		case <-c:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %d values", n)
		}
	}
}

// TestCrashLosesNothing kills the bot (no drain, nothing confirmed at the
// end) in the middle of a flood, with answers given and answers held, and
// starts it again: every update is answered at least once; with
// state_file, exactly once.
func TestCrashLosesNothing(t *testing.T) {
	for _, withState := range []bool{false, true} {
		t.Run(fmt.Sprintf("state_file=%v", withState), func(t *testing.T) {
			fake := telegramtest.New(t, testToken)
			statePath := t.TempDir() + "/telegram.state"
			opts := []Option{WithWorkers(4), WithQueue(64)}
			if withState {
				opts = append(opts, WithStateFile(statePath))
			}
			f := newQA()
			f.gate = make(chan struct{})
			f.entered = make(chan string, 1000)
			h := start(t, fake, options{qa: f, opts: opts})
			ids := map[int64][]int{}
			const n, answered = 300, 100
			for i := range n {
				chat := int64(200 + i%20)
				_, id := fake.AddMessage(telegramtest.Message{UserID: chat, Text: fmt.Sprintf("echo %d", i)})
				ids[chat] = append(ids[chat], id)
			}
			for range answered {
				f.gate <- struct{}{}
			}
			// Each worker has started the question after its last answer:
			// those answers are out, and the rest held.
			receive(t, f.entered, answered+4)
			if got := fake.SentCount(); got != answered {
				t.Fatalf("%d answers before the kill, want %d", got, answered)
			}
			h.kill()
			close(f.gate)

			h2 := start(t, fake, options{opts: opts})
			fake.Wait(t, "an answer to every update", func() bool {
				sent := fake.Sent()
				for chat, list := range ids {
					for _, id := range list {
						if len(repliesTo(sent, chat, id)) == 0 {
							return false
						}
					}
				}
				return true
			})
			h2.stop()
			if withState {
				checkExactlyOnce(t, fake.Sent(), ids)
			}
			t.Logf("%d replies to %d updates", fake.SentCount(), n)
		})
	}
}

// clock is a test clock, moved on by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestReadyWhenPollingFails: /healthz asks Ready. It turns false once
// getUpdates has failed for longer than 2 × poll_timeout + request_timeout,
// on a 409 Conflict (another poller) or a getUpdates that hangs, and true
// again once polling works.
func TestReadyWhenPollingFails(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	c := &clock{now: time.Now()}
	h := start(t, fake, options{prep: func(a *Adapter) { a.now = c.Now }})
	stall := h.a.cfg.stallAfter()
	if stall != 2*h.a.cfg.PollTimeout+h.a.cfg.RequestTimeout {
		t.Fatalf("stall time %s", stall)
	}
	h.ask(61, "echo polling works")

	conflicts := make([]telegramtest.Fault, 10000)
	for i := range conflicts {
		conflicts[i] = telegramtest.Conflict
	}
	fake.Fail("getUpdates", conflicts...)
	fake.Wait(t, "a few 409s", func() bool { return h.metrics.errorCount("conflict") >= 3 })
	c.advance(stall - time.Second)
	if !h.a.Ready() {
		t.Error("not ready before polling failed for the stall time")
	}
	c.advance(2 * time.Second)
	if h.a.Ready() {
		t.Errorf("ready after %s of 409 Conflict", stall+time.Second)
	}
	fake.Heal("getUpdates")
	h.ask(61, "echo polling works again")
	waitFor(t, h.a.Ready)

	fake.Fail("getUpdates", telegramtest.Hang)
	fake.Wait(t, "a hung getUpdates", func() bool { return fake.Faults("getUpdates") == 0 })
	c.advance(stall + time.Second)
	if h.a.Ready() {
		t.Errorf("ready with getUpdates hung for %s", stall+time.Second)
	}
}

// TestWebhookClosesSlowAndIdle: the webhook server closes a connection
// whose body trickles in and a keep-alive connection left idle, and keeps
// at most webhookConns connections open: more wait to be accepted, and
// are served once others close.
func TestWebhookClosesSlowAndIdle(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	// Connections are counted at the listener under the server's limit:
	// accepted there, and closed there before the limit lets the next one
	// in. (The server's ConnState hook reports a connection closed only
	// after it is, and the next may be accepted in between.)
	counted := &bottest.CountingListener{}
	h, base := webhookHarness(t, fake, options{
		opts: []Option{WithWebhookMaxConnections(1)},
		wrap: func(ln net.Listener) net.Listener { counted.Listener = ln; return counted },
		prep: func(a *Adapter) {
			a.timeouts.read = 200 * time.Millisecond
			a.timeouts.idle = 200 * time.Millisecond
		},
	})
	addr := strings.TrimPrefix(base, "http://")
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(telegramtest.Stall))
		return c
	}
	// closed reads from c until the server closes it.
	closed := func(c net.Conn) error {
		_, err := io.Copy(io.Discard, c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return errors.New("the server never closed the connection")
		}
		return nil
	}

	slow := dial()
	fmt.Fprintf(slow, "POST /hooks/telegram HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: %s\r\nContent-Length: 1000\r\n\r\n{\"update_id\"", testSecret)
	if err := closed(slow); err != nil {
		t.Errorf("a body that never ends: %v", err)
	}
	slow.Close()

	limit := webhookConns(&h.a.cfg)
	errs := make(chan error, limit+5)
	for range limit + 5 {
		go func() {
			c := dial()
			defer c.Close()
			io.WriteString(c, "GET /hooks/telegram HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				errs <- fmt.Errorf("no response: %w", err)
				return
			}
			resp.Body.Close()
			errs <- closed(c) // idle after its request
		}()
	}
	for range limit + 5 {
		if err := <-errs; err != nil {
			t.Errorf("a keep-alive connection left idle: %v", err)
		}
	}
	if _, _, peak := counted.Counts(); peak > limit {
		t.Errorf("%d connections open at once, want at most %d", peak, limit)
	}
}
