package discord

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/discord/discordtest"
	"github.com/storybot/storybot/qa"
)

// index returns where r is in the fake's request log, or -1.
func index(srv *discordtest.Server, r *discordtest.Request) int {
	return slices.Index(srv.Requests(func(*discordtest.Request) bool { return true }), r)
}

// A slash command queued behind a reply that waits out a 429, on the same
// worker though in another channel, gets a deferred response while the
// reply still waits; then the worker edits it into the answer.
func TestSlashCommandDeferredBehindRateLimit(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	const (
		busy  = "400000000000000021" // the rate-limited reply's channel
		slash = "400000000000000022" // the slash command's
		wait  = time.Second
	)
	var limited atomic.Bool
	srv.OnREST(func(r *discordtest.Request) *discordtest.Response {
		if discordtest.Send(busy)(r) && limited.CompareAndSwap(false, true) {
			return discordtest.RateLimited(wait, false)
		}
		return nil
	})
	// One worker: every channel is hashed onto it.
	start(t, srv, newService(&answerer{answer: fixed(quote)}), WithWorkers(1), withDeferAfter(10*time.Millisecond))
	srv.WaitSession(t)

	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "21001", busy, "who?"))
	if first := srv.WaitRequest(t, discordtest.Send(busy)); first.Status != 429 {
		t.Fatalf("first send status %d, want the fake's 429", first.Status)
	}
	// The worker is now waiting out retry_after.
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("21002", "tok-21002", slash, "300000000000000001", user, "ask",
		map[string]string{"question": "what did Putin wish?"}))

	edit := srv.WaitRequest(t, discordtest.EditOriginal("tok-21002"))
	replyTo(t, srv, busy, "21001") // the send after the 429
	sends := srv.Requests(discordtest.Send(busy))
	deferrals := srv.Requests(discordtest.CallbackType("21002", discordtest.ResponseDeferred))
	if len(deferrals) != 1 || deferrals[0].Status != 204 {
		t.Fatalf("%d deferred responses (first status %v), want one, accepted", len(deferrals), statuses(deferrals))
	}
	if len(sends) != 2 {
		t.Fatalf("%d sends to the busy channel, want the 429 and its retry", len(sends))
	}
	// The order of events, as the fake received them.
	d, retry, e := index(srv, deferrals[0]), index(srv, sends[1]), index(srv, edit)
	if !(d < retry && retry < e) {
		t.Errorf("request order: deferral #%d, retried send #%d, edit #%d; want the deferral while the send waited out its 429, then the edit",
			d, retry, e)
	}
	if n := len(srv.Requests(discordtest.CallbackType("21002", discordtest.ResponseMessage))); n != 0 {
		t.Errorf("%d message responses (type 4) after the deferral, want 0", n)
	}
	if n := len(srv.Requests(discordtest.Callback("21002"))); n != 1 {
		t.Errorf("%d interaction responses, want exactly 1", n)
	}
	m := discordtest.DecodeMessage(t, edit)
	if edit.Status != 200 || len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Description, "Putin wished success") {
		t.Errorf("edit: status %d, %q; want the answer in an embed", edit.Status, m.Text())
	}
	if !m.MentionsInert() {
		t.Errorf("edit can ping: %s", edit.Body)
	}
}

func statuses(rs []*discordtest.Request) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Status)
	}
	return out
}

// A slash command its worker answers before the timer sends one message
// response (type 4) and no deferral, even when the timer fires afterwards.
func TestSlashCommandFastPathNoDeferral(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	opt, timers := withHandTimers()
	run := start(t, srv, newService(&answerer{answer: fixed(quote)}), opt)
	srv.WaitSession(t)

	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("21101", "tok-21101", "400000000000000023", "", user, "ask",
		map[string]string{"question": "what did Putin wish?"}))
	r := srv.WaitRequest(t, discordtest.Callback("21101"))
	if r.CallbackType() != discordtest.ResponseMessage || r.Status != 204 {
		t.Fatalf("response type %d, status %d; want a message response (4), accepted", r.CallbackType(), r.Status)
	}
	tm := nextTimer(t, timers)
	if tm.d != defaultDeferAfter || defaultDeferAfter != 1500*time.Millisecond {
		t.Errorf("deferral timer armed for %v, want the default 1.5s", tm.d)
	}
	if !tm.stopped.Load() {
		t.Errorf("the deferral timer was not stopped when the worker responded")
	}
	// The timer fires late, racing the worker that already responded: it
	// must send nothing. fire returns once it has decided (and sent).
	tm.fire()
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests(discordtest.Callback("21101"))); n != 1 {
		t.Errorf("%d interaction responses, want exactly the one message response", n)
	}
	if n := len(srv.Requests(discordtest.EditOriginal("tok-21101"))); n != 0 {
		t.Errorf("%d edits of the response, want 0", n)
	}
}

// A long answer after a deferral: the first part edits the deferred
// response, the rest go as follow-ups, each within Discord's limits.
func TestSlashLongAnswerAfterDeferral(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	long := strings.Repeat("This sentence is one of very many in a long quote. ", 150)
	ans := &answerer{asked: make(chan string, 1), block: make(chan struct{}), answer: func(q string) qa.Result {
		r := qa.Result{Question: q}
		for _, tag := range []string{"First", "Second", "Third"} {
			r.Answers = append(r.Answers, qa.Answer{Text: tag + ". " + long, Source: src1, AlsoIn: []qa.Source{src2}})
		}
		return r
	}}
	opt, timers := withHandTimers()
	start(t, srv, newService(ans), opt)
	srv.WaitSession(t)
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("21201", "tok-21201", "400000000000000024", "", user, "ask",
		map[string]string{"question": "everything?"}))

	<-ans.asked // the worker is answering...
	tm := nextTimer(t, timers)
	tm.fire() // ...when the timer fires: the deferral is sent and answered
	deferral := srv.Requests(discordtest.Callback("21201"))
	if len(deferral) != 1 || deferral[0].CallbackType() != discordtest.ResponseDeferred || deferral[0].Status != 204 {
		t.Fatalf("responses %d, the first of type %d: want one deferred response (5), accepted", len(deferral), deferral[0].CallbackType())
	}
	if m := discordtest.DecodeMessage(t, deferral[0]); m.Flags&64 != 0 {
		t.Errorf("deferred response is ephemeral; answers are for the channel")
	}
	close(ans.block)

	edit := srv.WaitRequest(t, discordtest.EditOriginal("tok-21201"))
	parts := []*discordtest.Request{edit}
	for range 2 {
		parts = append(parts, srv.WaitRequest(t, discordtest.Followup("tok-21201")))
	}
	for i, r := range parts {
		m := discordtest.DecodeMessage(t, r)
		tag := []string{"First", "Second", "Third"}[i]
		if r.Status != 200 || len(m.Embeds) != 1 || !m.MentionsInert() {
			t.Errorf("part %d: status %d, %d embeds, inert %v; body %.200s", i, r.Status, len(m.Embeds), m.MentionsInert(), r.Body)
		} else if !strings.HasPrefix(m.Embeds[0].Description, tag) {
			t.Errorf("part %d starts %.20q, want the %s answer", i, m.Embeds[0].Description, tag)
		}
		if i > 0 && index(srv, r) < index(srv, edit) {
			t.Errorf("follow-up %d sent before the edit of the deferred response", i)
		}
	}
	if n := len(srv.Requests(discordtest.Callback("21201"))); n != 1 {
		t.Errorf("%d interaction responses, want only the deferral", n)
	}
}

// A flood notice after a deferral replaces the deferred response: visible,
// since the deferral was, but an answer all the same.
func TestFloodNoticeAfterDeferral(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	ans := &answerer{answer: fixed(quote), asked: make(chan string, 1), block: make(chan struct{})}
	svc := bot.NewService(ans, bot.Config{MaxQuestion: 100, Limit: bot.LimitConfig{Burst: 1, Every: time.Hour}}, nil)
	opt, timers := withHandTimers()
	start(t, srv, svc, WithWorkers(1), opt)
	srv.WaitSession(t)

	// Bob's question holds the only worker.
	bob := discordtest.User{ID: "200000000000000002", Username: "bob"}
	const ch = "400000000000000025"
	srv.Dispatch(t, "MESSAGE_CREATE", discordtest.MessageCreate("21301", ch, "300000000000000001", bob,
		"<@"+srv.BotID+"> first?", srv.Bot()))
	<-ans.asked
	// Alice asks twice; her second question is over the limit.
	for _, id := range []string{"21302", "21303"} {
		srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand(id, "tok-"+id, ch, "300000000000000001", user, "ask",
			map[string]string{"question": "what did Putin wish?"}))
	}
	nextTimer(t, timers).fire()
	nextTimer(t, timers).fire()
	close(ans.block)

	replyTo(t, srv, ch, "21301")
	answer := discordtest.DecodeMessage(t, srv.WaitRequest(t, discordtest.EditOriginal("tok-21302")))
	notice := srv.WaitRequest(t, discordtest.EditOriginal("tok-21303"))
	if len(answer.Embeds) != 1 {
		t.Errorf("first /ask got %q, want the answer", answer.Text())
	}
	if m := discordtest.DecodeMessage(t, notice); notice.Status != 200 || !strings.HasPrefix(m.Content, "You are asking faster") || !m.MentionsInert() {
		t.Errorf("limited /ask after a deferral: status %d, %q; want the flood notice as the edit", notice.Status, m.Content)
	}
	for _, id := range []string{"21302", "21303"} {
		if n := len(srv.Requests(discordtest.CallbackType(id, discordtest.ResponseMessage))); n != 0 {
			t.Errorf("/ask %s: %d message responses after the deferral, want 0", id, n)
		}
	}
}

// A deferral waiting out a 429 gives up at shutdown, like any reply: Run
// returns, the answer is dropped, and nothing else is sent for it.
func TestDeferralGivenUpAtShutdown(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	srv.OnREST(func(r *discordtest.Request) *discordtest.Response {
		if discordtest.Callback("21401")(r) {
			return discordtest.RateLimited(2*time.Hour, false)
		}
		return nil
	})
	ans := &answerer{answer: fixed(quote), asked: make(chan string, 1), block: make(chan struct{})}
	opt, timers := withHandTimers()
	run := start(t, srv, newService(ans), opt, WithDrainTimeout(time.Hour), WithMaxRetryAfter(3*time.Hour))
	srv.WaitSession(t)
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("21401", "tok-21401", "400000000000000026", "", user, "ask",
		map[string]string{"question": "what did Putin wish?"}))
	<-ans.asked
	tm := nextTimer(t, timers)
	fired := make(chan struct{})
	go func() {
		tm.fire()
		close(fired)
	}()
	srv.WaitRequest(t, discordtest.Callback("21401")) // the deferral got its 429
	run.cancel()
	select {
	case <-fired:
	case <-time.After(discordtest.Deadline):
		t.Fatal("the deferral kept waiting out its 429 after shutdown began")
	}
	close(ans.block)
	if err := run.wait(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if n := len(srv.Requests(discordtest.Callback("21401"))); n != 1 {
		t.Errorf("%d interaction responses, want only the rate-limited deferral", n)
	}
	if n := len(srv.Requests(discordtest.EditOriginal("tok-21401"))); n != 0 {
		t.Errorf("%d edits after a failed deferral, want 0", n)
	}
	if logs := run.logs.String(); !strings.Contains(logs, "deferred response given up at shutdown") {
		t.Errorf("no log of the deferral given up:\n%s", logs)
	}
}
