package discord

import (
	"strings"
	"testing"

	"github.com/storybot/storybot/bot/discord/discordtest"
)

// A panic while answering is recovered: the asker is told something went
// wrong (a message by a reply, a slash command by its response), the panic
// is logged with the platform and kind and counted, and the bot goes on.
func TestPanicWhileAnsweringRecovered(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	srv.InteractionWindow = discordtest.Deadline
	m := newMetrics()
	run := start(t, srv, counted(&answerer{answer: fixed(quote), panicOn: "boom?"}, m))
	srv.WaitSession(t)

	const ch = "400000000000000031"
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "31001", ch, "boom?"))
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "31002", ch, "who called?"))
	if r := replyTo(t, srv, ch, "31001"); !strings.Contains(r.Content, "something went wrong") {
		t.Errorf("the question that panicked got %q, want the something-went-wrong reply", r.Text())
	}
	if r := replyTo(t, srv, ch, "31002"); len(r.Embeds) != 1 {
		t.Errorf("the next question got %q, want its answer", r.Text())
	}

	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("31003", "tok-31003", ch, "300000000000000001", user, "ask",
		map[string]string{"question": "boom?"}))
	r := srv.WaitRequest(t, discordtest.Callback("31003"))
	if msg := discordtest.DecodeMessage(t, r); r.Status != 204 || r.CallbackType() != discordtest.ResponseMessage ||
		msg.Flags&64 == 0 || !strings.Contains(msg.Content, "something went wrong") {
		t.Errorf("/ask that panicked: status %d, type %d, flags %d, %q; want an ephemeral something-went-wrong response",
			r.Status, r.CallbackType(), msg.Flags, msg.Content)
	}
	m.waitCount(t, "panic", 2)
	logs := run.logs.String()
	for _, kind := range []string{"kind=message", "kind=interaction"} {
		if !strings.Contains(logs, `panic recovered" platform=discord `+kind) {
			t.Errorf("no log line of the panic with platform and %s:\n%s", kind, logs)
		}
	}
}

// An INTERACTION_CREATE whose data is missing or does not decode gets an
// ephemeral error response; events with null data are ignored; the bot
// goes on.
func TestUnreadableEventsAnswered(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	srv.InteractionWindow = discordtest.Deadline
	m := newMetrics()
	start(t, srv, counted(&answerer{answer: fixed(quote)}, m))
	srv.WaitSession(t)

	const ch = "400000000000000032"
	noData := srv.SlashCommand("32001", "tok-32001", ch, "", user, "ask", map[string]string{"question": "who?"})
	delete(noData, "data")
	badData := srv.SlashCommand("32002", "tok-32002", ch, "", user, "ask", map[string]string{"question": "who?"})
	badData["data"] = map[string]any{"id": "9000", "name": 5, "type": 1} // name is a string
	srv.Dispatch(t, "MESSAGE_CREATE", nil)
	srv.Dispatch(t, "INTERACTION_CREATE", nil)
	srv.Dispatch(t, "INTERACTION_CREATE", noData)
	srv.Dispatch(t, "INTERACTION_CREATE", badData)
	for _, id := range []string{"32001", "32002"} {
		r := srv.WaitRequest(t, discordtest.Callback(id))
		if msg := discordtest.DecodeMessage(t, r); r.Status != 204 || msg.Flags&64 == 0 ||
			!strings.Contains(msg.Content, "something went wrong") {
			t.Errorf("interaction %s with unreadable data: status %d, flags %d, %q; want an ephemeral error response",
				id, r.Status, msg.Flags, msg.Content)
		}
	}
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "32003", ch, "still there?"))
	replyTo(t, srv, ch, "32003")
	m.waitCount(t, "bad_event", 4)
}
