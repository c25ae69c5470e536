package discord

import (
	"fmt"
	"strings"
	"testing"

	"github.com/storybot/storybot/bot/discord/discordtest"
)

// A burst of 100 mentions in one channel, within the bounds, is answered
// in full and in order.
func TestBurstInOneChannelAllAnswered(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	ans := &answerer{answer: fixed(quote), hold: "question 0?", asked: make(chan string, 1), block: make(chan struct{})}
	start(t, srv, newService(ans), WithQueue(256))
	srv.WaitSession(t)

	const ch, other = "400000000000000035", "400000000000000036"
	for i := range 100 {
		srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, fmt.Sprint(35000+i), ch, fmt.Sprintf("question %d?", i)))
	}
	<-ans.asked // the first is held, the others wait behind it
	// Events are taken in order: once another channel's question is
	// answered, the hundred have been queued or refused.
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "35999", other, "meanwhile?"))
	replyTo(t, srv, other, "35999")
	close(ans.block)
	for i := range 100 {
		if r := replyTo(t, srv, ch, fmt.Sprint(35000+i)); len(r.Embeds) != 1 {
			t.Fatalf("question %d got %q, want its answer", i, r.Text())
		}
	}
}

// Past the bounds (queue 4, so 2 per channel, with one worker held) every
// refused question is told: one busy notice per channel, after its queued
// answers, replying to its first refused question; a refused slash command
// gets its own busy response at once, while the worker is still held.
func TestBurstBeyondBoundsToldBusy(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	srv.InteractionWindow = discordtest.Deadline
	m := newMetrics()
	ans := &answerer{answer: fixed(quote), asked: make(chan string, 10), block: make(chan struct{})}
	run := start(t, srv, counted(ans, m), WithWorkers(1), WithQueue(4))
	srv.WaitSession(t)

	const a, b, c, d = "400000000000000037", "400000000000000038", "400000000000000039", "400000000000000040"
	for i := 1; i <= 5; i++ {
		srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, fmt.Sprint(37000+i), a, fmt.Sprintf("a%d?", i)))
	}
	<-ans.asked // a1 holds the worker
	for i := 1; i <= 3; i++ {
		srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, fmt.Sprint(38000+i), b, fmt.Sprintf("b%d?", i)))
	}
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "39001", c, "c1?"))
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("40001", "tok-40001", d, "", user, "ask",
		map[string]string{"question": "d1?"}))

	// Refused: a3-a5 (a holds 2), b3 (b holds 2), c1 and the command (4 in all).
	r := srv.WaitRequest(t, discordtest.Callback("40001"))
	if msg := discordtest.DecodeMessage(t, r); r.Status != 204 || msg.Flags&64 == 0 || !strings.Contains(msg.Content, "busy") {
		t.Errorf("refused /ask: status %d, flags %d, %q; want an ephemeral busy response", r.Status, msg.Flags, msg.Content)
	}
	m.waitCount(t, "busy", 6)
	close(ans.block)

	want := map[string][]string{a: {"37001", "37002", "busy 37003"}, b: {"38001", "38002", "busy 38003"}, c: {"busy 39001"}}
	for ch, replies := range want {
		for _, w := range replies {
			id, busy := strings.CutPrefix(w, "busy ")
			msg := replyTo(t, srv, ch, id)
			if got := strings.Contains(msg.Content, "busy"); got != busy || (!busy && len(msg.Embeds) != 1) {
				t.Errorf("reply to %s: %q; want busy notice %v", id, msg.Text(), busy)
			}
		}
	}
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
	for ch, replies := range want {
		if n := len(srv.Requests(discordtest.Send(ch))); n != len(replies) {
			t.Errorf("channel %s got %d messages, want %d", ch, n, len(replies))
		}
	}
	if n := m.count("dropped"); n != 0 {
		t.Errorf("%d questions dropped unanswered, want 0", n)
	}
}
